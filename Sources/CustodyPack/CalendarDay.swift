import CustodyModel
public import Foundation

/// A day as policy files write it (`2023-07-10`), for the dates of adequacy decisions.
public struct CalendarDay: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let text: String
    /// The first and the last microsecond of the day, UTC.
    public let start: Date
    public let end: Date

    public init?(_ text: String) {
        guard text.count == 10, let end = RFC3339.parseInstant(text) else { return nil }
        self.text = text
        self.end = end
        start = end.addingTimeInterval(-86_400 + 0.000_001)
    }

    public var description: String { text }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool { lhs.start < rhs.start }
}
