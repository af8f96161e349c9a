public import CustodyModel
package import GRDB

/// A projection of the log kept current inside the append transaction: the lineage module implements
/// it, so its tables can never disagree with the log they were derived from.
///
/// The log tracks, per projector, how far its tables have been brought (`projection_state`). An append
/// first replays whatever a projector has not seen (events appended by a writer that did not pass it,
/// or a store from before it existed), so the tables always cover the whole log after a commit.
public protocol LogProjector: Sendable {
    /// A stable name for the projection, under which the log records how far it has been brought.
    var name: String { get }
    /// The tables the projector owns, in creation order: `rebuild` drops them and `verify` compares them
    /// with a replay of the log. Every table needs a primary key, so a differing row can be named.
    var tables: [String] { get }
    /// Creates its tables where they are missing and returns a writer for the current transaction.
    func begin(_ database: ProjectionDatabase) throws -> any ProjectionWriter
}

/// Writes the projection of each event, in sequence order, inside one transaction. Throwing rolls back
/// the whole call.
public protocol ProjectionWriter {
    func project(_ event: AppendedEvent) throws
}

/// An event as it was appended: its sequence number and the tokenised event the leaf covers.
public struct AppendedEvent: Sendable {
    public let seq: Int
    public let batchID: String
    public let kind: EventKind
    /// The event with subject identifiers replaced by tokens.
    public let event: JSONValue

    public init(seq: Int, batchID: String, kind: EventKind, event: JSONValue) {
        self.seq = seq
        self.batchID = batchID
        self.kind = kind
        self.event = event
    }
}

/// The SQL connection projectors get inside the append (or replay) transaction. The log's own tables are
/// not theirs to write; the triggers refuse changes to them anyway.
public final class ProjectionDatabase {
    /// The connection, for modules of this package that prepare and cache statements.
    package let database: Database

    package init(_ database: Database) {
        self.database = database
    }

    /// Runs a statement with text arguments (`nil` is SQL NULL).
    public func execute(_ sql: String, _ arguments: [String?] = []) throws {
        try database.execute(sql: sql, arguments: StatementArguments(arguments))
    }

    /// Runs a query and returns its rows as text.
    public func rows(_ sql: String, _ arguments: [String?] = []) throws -> [[String?]] {
        try Row.fetchAll(database, sql: sql, arguments: StatementArguments(arguments)).map { row in
            (0..<row.count).map { row[$0] as String? }
        }
    }
}
