public import CustodyModel

/// Retention as the pack states it: periods, holds and how early to warn.
public struct RetentionRules: Sendable, Equatable {
    public internal(set) var periods: [RetentionPeriod] = []
    public internal(set) var holds: [RetentionHold] = []
    /// How long before a deadline data shows as due soon.
    public internal(set) var warning = ISO8601Duration("P30D")!
}

extension RetentionRules {
    /// The periods that apply to data serving `purpose` (nil: no stated purpose) and holding `categories`:
    /// a period naming purposes applies within them, and only where its categories (if any) match; a
    /// category-only period applies to every purpose of data holding one of its categories.
    public func periods(forPurpose purpose: String?, categories: [String]) -> [RetentionPeriod] {
        periods.filter { period in
            if let wanted = period.categories, !categories.contains(where: { key in wanted.contains { Taxonomy.key(key, isWithin: $0) } }) {
                return false
            }
            guard let purposes = period.purposes else { return period.categories != nil }
            return purpose.map { purpose in purposes.contains { Taxonomy.key(purpose, isWithin: $0) } } ?? false
        }
    }
}
