public import CustodyModel

/// Retention as the pack states it: periods, holds and how early to warn.
public struct RetentionRules: Sendable, Equatable {
    public internal(set) var periods: [RetentionPeriod] = []
    public internal(set) var holds: [RetentionHold] = []
    /// How long before a deadline data shows as due soon.
    public internal(set) var warning = ISO8601Duration("P30D")!
}
