public import CustodyModel

/// A projection kept current inside the append transaction: the lineage module implements it, so its
/// tables can never disagree with the log they were derived from.
public protocol LogProjector: Sendable {
    /// Called once per append transaction before the first event, to create or migrate its tables.
    func prepare(_ database: ProjectionDatabase) throws
    /// Called for every appended event, in sequence order, inside the same transaction. Throwing rolls
    /// back the whole call.
    func project(_ entry: AppendedEvent, into database: ProjectionDatabase) throws
}

/// An event as it was appended: its sequence number and the tokenised event the leaf covers.
public struct AppendedEvent: Sendable {
    public let seq: Int
    public let batchID: String
    public let kind: EventKind
    /// The event with subject identifiers replaced by tokens.
    public let event: JSONValue
}

/// The SQL surface projectors get inside the append transaction; it never exposes the log's tables for
/// writing by convention, and the triggers refuse changes to them anyway.
public final class ProjectionDatabase {
    private let execute: (String, [String?]) throws -> Void
    private let query: (String, [String?]) throws -> [[String?]]

    init(execute: @escaping (String, [String?]) throws -> Void, query: @escaping (String, [String?]) throws -> [[String?]]) {
        self.execute = execute
        self.query = query
    }

    /// Runs a statement with text arguments (`nil` is SQL NULL).
    public func execute(_ sql: String, _ arguments: [String?] = []) throws {
        try execute(sql, arguments)
    }

    /// Runs a query and returns its rows as text.
    public func rows(_ sql: String, _ arguments: [String?] = []) throws -> [[String?]] {
        try query(sql, arguments)
    }
}
