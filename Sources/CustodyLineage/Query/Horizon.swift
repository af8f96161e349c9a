public import Foundation
import CustodyModel
import CustodyLog
import GRDB

/// The point of view of a query: the world as of an event time (`--as-of`), as known by a recorded
/// time (`--known-at`). Both default to "now", that is everything the log holds.
public struct Horizon: Sendable, Equatable {
    public let asOf: Date?
    public let knownAt: Date?
    /// At most the first `logSize` events: a view pinned to one state of the log (`Lineage.pinned()`), so
    /// the questions a report asks one after another see the same events even while a writer appends.
    public let logSize: Int?

    public init(asOf: Date? = nil, knownAt: Date? = nil, logSize: Int? = nil) {
        self.asOf = asOf
        self.knownAt = knownAt
        self.logSize = logSize
    }

    /// Everything the log holds.
    public static let now = Horizon()
}

/// A horizon resolved against one snapshot of the store: the latest visible event time and how many
/// events had been recorded by then.
struct ResolvedHorizon {
    let asOf: Int64
    /// Events with a smaller sequence number had been recorded by `knownAt`.
    let knownSize: Int

    private init(asOf: Int64, knownSize: Int) {
        self.asOf = asOf
        self.knownSize = knownSize
    }

    /// Every row the projection tables hold, whatever the log: what the lineage writer works from.
    static let wholeProjection = ResolvedHorizon(asOf: .max, knownSize: .max)

    init(_ horizon: Horizon, db: Database) throws {
        asOf = horizon.asOf.map(Moment.microseconds) ?? .max
        let statement: RawStatement
        if let knownAt = horizon.knownAt {
            statement = try RawStatement(cached: db, sql: "SELECT COALESCE(MAX(first_seq + event_count), 0) FROM log_batch WHERE recorded_at <= ?")
            try statement.bind(.text(RFC3339.format(knownAt)))
        } else {
            statement = try RawStatement(cached: db, sql: "SELECT COALESCE(MAX(seq) + 1, 0) FROM log_entry")
        }
        defer { statement.reset() }
        let recorded = try statement.step() ? statement.int(0) : 0
        knownSize = horizon.logSize.map { min($0, recorded) } ?? recorded
    }

    func sees(seq: Int, time: Int64) -> Bool {
        seq < knownSize && time <= asOf
    }

    /// Whether the view is the whole log, so final states computed over every event hold.
    var isEverything: Bool { asOf == .max }
}
