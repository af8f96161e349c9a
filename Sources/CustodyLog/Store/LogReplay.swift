import CustodyModel
import Dispatch
import GRDB

/// Reads stored events back, in sequence order, into projectors, as they saw them when they were
/// appended: catching up a projector, rebuilding projections and verifying them all replay through here.
///
/// Leaves are read a page at a time on the writing thread; parsing them and extracting what the
/// projectors keep runs on other threads, a page ahead of the writers.
enum LogReplay {
    /// Replays every stored event whose sequence number is in `range` into `writers` (one per projector,
    /// in the same order). `schema` names the database holding the log (`main`, or an attached store
    /// during verification). `progress` is told after each page how many events of the range are in.
    static func replay(_ db: Database, schema: String = "main", in range: Range<Int>,
                       projectors: [any LogProjector], writers: [any ProjectionWriter],
                       progress: ((_ replayed: Int, _ of: Int) -> Void)? = nil) throws {
        guard !range.isEmpty, !projectors.isEmpty else { return }
        let statement = try RawStatement(db, sql: "SELECT seq, leaf FROM \(schema).log_entry WHERE seq >= ? AND seq < ? ORDER BY seq")
        try statement.bind(.integer(range.lowerBound), .integer(range.upperBound))
        defer { statement.reset() }
        // Stepping a finished statement would start it again from the first row.
        var exhausted = false
        func nextPage() throws -> ExtractingPage {
            var leaves: [(seq: Int, leaf: [UInt8])] = []
            while !exhausted && leaves.count < pageSize {
                if try statement.step() { leaves.append((statement.int(0), Array(statement.blob(1)))) } else { exhausted = true }
            }
            return ExtractingPage(leaves: leaves, projectors: projectors)
        }
        let tokens = RecordedTokens()
        var replayed = 0
        var pending = try nextPage()
        while true {
            let extracted = pending.take()
            guard !extracted.isEmpty else { break }
            pending = try nextPage()
            for (seq, facts) in extracted {
                for (writer, projected) in zip(writers, try facts.get()) { try writer.project(projected, seq: seq, tokens: tokens) }
                replayed += 1
            }
            // A page of extracted events is thousands of small values: they are freed on another thread, since
            // this one is the replay's bottleneck.
            releaseInBackground(consume extracted)
            progress?(replayed, range.count)
        }
        guard replayed == range.count else {
            throw LogError(.integrity, "the log holds \(replayed) events from sequence number \(range.lowerBound) where \(range.count) were expected")
        }
    }

    /// Events parsed per page: enough to keep the other threads busy, few enough to stay small in memory.
    static let pageSize = 2048

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
    /// `logSize` events. The caller finishes the writers once the transaction's last event is in.
    static func beginUpToDate(_ projectors: [any LogProjector], db: Database, logSize: Int,
                              progress: ((_ replayed: Int, _ of: Int) -> Void)? = nil) throws -> [any ProjectionWriter] {
        let database = ProjectionDatabase(db)
        return try projectors.map { projector in
            let writer = try projector.begin(database)
            let through = try projected(db, by: projector.name)
            try replay(db, in: min(through, logSize)..<logSize, projectors: [projector], writers: [writer], progress: progress)
            return writer
        }
    }
}

/// One page of leaves being parsed, and what the projectors keep of each event extracted, on other
/// threads: `take()` waits for it.
private final class ExtractingPage: @unchecked Sendable {
    // Invariant: `results` is written only inside `group` and read only after `group.wait()`.
    private var results: [(seq: Int, facts: Result<[any Sendable], LogError>)] = []
    private let group = DispatchGroup()

    init(leaves: [(seq: Int, leaf: [UInt8])], projectors: [any LogProjector]) {
        guard !leaves.isEmpty else { return }
        group.enter()
        DispatchQueue.global().async { [self] in
            results = ParallelMap.map(count: leaves.count, workers: ParallelMap.besideOneWriter) { index in
                let (seq, leaf) = leaves[index]
                return (seq, Result { () throws(LogError) -> [any Sendable] in
                    let event = try LogEntry.event(inLeaf: leaf)
                    guard let kind = EventKind(classifyingEvent: event) else {
                        throw LogError(.integrity, "the event recorded as sequence number \(seq) is not an OpenLineage event")
                    }
                    return projectors.map { $0.extract(stored: event, kind: kind) }
                })
            }
            group.leave()
        }
    }

    /// Each event's sequence number and what it gave each projector, in sequence order. Called once.
    func take() -> [(seq: Int, facts: Result<[any Sendable], LogError>)] {
        group.wait()
        defer { results = [] }
        return results
    }
}
