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
    /// Reads what the projection keeps of one event, without the database: ingest calls it on its worker
    /// threads while the writer appends earlier events, and replays call it on several threads. Only this
    /// projector's writer looks inside the result.
    ///
    /// Subject lists hold normalised identifiers in an event being ingested and tokens in a replayed one;
    /// the writer turns either into the recorded token with `SubjectTokens`.
    func extract(_ event: JSONValue, kind: EventKind) -> any Sendable
    /// `extract` for a stored event, read in place from its leaf: what replays pass. It must give what
    /// `extract` gives for the same event parsed; the default parses it and calls `extract`.
    func extract(stored event: JSONTape.Value, kind: EventKind) -> any Sendable
    /// Creates its tables where they are missing and returns a writer for the current transaction.
    func begin(_ database: ProjectionDatabase) throws -> any ProjectionWriter
}

/// Writes the projection of each event, in sequence order, inside one transaction. Throwing rolls back
/// the whole call.
public protocol ProjectionWriter {
    /// Projects event `seq`, given what this projector's `extract` returned for it.
    func project(_ facts: any Sendable, seq: Int, tokens: any SubjectTokens) throws
    /// Called once after the last event of a transaction (an ingest, a catch-up, a rebuild, the scratch
    /// replay of a verification): the place to build what only queries need, such as indexes left out
    /// while tables were filled from empty, and what is worked out from several events at once. What it
    /// writes must depend only on the events, not on how they were split into transactions.
    func finish() throws
}

extension LogProjector {
    public func extract(stored event: JSONTape.Value, kind: EventKind) -> any Sendable {
        // The leaf parsed once already; its event parses again.
        extract((try? JSONParser.parse(Array((event.canonicalText ?? "null").utf8))) ?? .null, kind: kind)
    }
}

extension ProjectionWriter {
    public func finish() throws {}
}

/// The token the log recorded for a subject string of an event handed to `LogProjector.extract`.
public protocol SubjectTokens {
    /// - Parameter erasing: the string stands in an `erasedSubjects` list.
    func token(for subject: String, erasing: Bool) throws -> String
}

/// Replayed events already carry their tokens.
struct RecordedTokens: SubjectTokens {
    func token(for subject: String, erasing: Bool) -> String { subject }
}

/// The tokens an event being ingested was sealed with, so its projections record what its leaf records.
struct SealedTokens: SubjectTokens {
    struct Key: Hashable {
        let subject: String
        let erasing: Bool
    }

    let tokens: [Key: String]

    func token(for subject: String, erasing: Bool) throws -> String {
        guard let token = tokens[Key(subject: subject, erasing: erasing)] else {
            throw LogError.internalInconsistency("a projector asked for a subject the event was not sealed with")
        }
        return token
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
