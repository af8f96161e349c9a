import CustodyModel
import GRDB

/// Reads stored events back, in sequence order, as the projectors saw them when they were appended:
/// catching up a projector, rebuilding projections and verifying them all replay through here.
enum LogReplay {
    /// Calls `body` with every stored event whose sequence number is in `range`. `schema` names the
    /// database holding the log (`main`, or an attached store during verification).
    static func forEach(_ db: Database, schema: String = "main", in range: Range<Int>, _ body: (AppendedEvent) throws -> Void) throws {
        guard !range.isEmpty else { return }
        let statement = try RawStatement(db, sql: "SELECT seq, leaf FROM \(schema).log_entry WHERE seq >= ? AND seq < ? ORDER BY seq")
        try statement.bind(.integer(range.lowerBound), .integer(range.upperBound))
        while try statement.step() {
            let seq = statement.int(0)
            let entry = try LogEntry(leaf: Array(statement.blob(1)))
            guard case .object(let object) = entry.event, let kind = EventKind(classifying: object) else {
                throw LogError(.integrity, "the event recorded as sequence number \(seq) is not an OpenLineage event")
            }
            try body(AppendedEvent(seq: seq, batchID: entry.batchID, kind: kind, event: entry.event))
        }
    }

    /// How many events of the log a projector's tables cover.
    static func projected(_ db: Database, by name: String, schema: String = "main") throws -> Int {
        try Int.fetchOne(db, sql: "SELECT through FROM \(schema).projection_state WHERE name = ?", arguments: [name]) ?? 0
    }

    static func record(_ db: Database, projected through: Int, by name: String) throws {
        try db.execute(
            sql: "INSERT INTO projection_state (name, through) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET through = excluded.through",
            arguments: [name, through])
    }

    /// Begins a writer for each projector and replays into it what it has not yet seen of a log of
    /// `logSize` events.
    static func beginUpToDate(_ projectors: [any LogProjector], db: Database, logSize: Int) throws -> [any ProjectionWriter] {
        let database = ProjectionDatabase(db)
        return try projectors.map { projector in
            let writer = try projector.begin(database)
            let through = try projected(db, by: projector.name)
            try forEach(db, in: min(through, logSize)..<logSize) { try writer.project($0) }
            return writer
        }
    }
}
