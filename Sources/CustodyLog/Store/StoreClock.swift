public import Foundation

/// Where the store gets "now" from. Only the command-line tool and the server read the wall clock;
/// everything below takes a clock, so tests and `--known-at` are deterministic.
public struct StoreClock: Sendable {
    public let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = StoreClock { Date() }

    /// A clock that always answers `date`.
    public static func fixed(_ date: Date) -> StoreClock { StoreClock { date } }
}
