@testable import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyTestSupport
import Foundation
import GRDB
import Testing

/// The projections are a function of the log: however they were kept, they are the same rows.
struct ProjectionTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/lineage-fixture.jsonl").path

    static func fixtureLines() throws -> [String] {
        try String(contentsOfFile: fixture, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Every row of every lineage table, in primary-key order.
    static func dump(_ path: String) throws -> [String: [[String]]] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var tables: [String: [[String]]] = [:]
            for table in LineageProjector().tables {
                tables[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { row in
                    row.databaseValues.map(\.description)
                }.sorted { $0.lexicographicallyPrecedes($1) }
            }
            return tables
        }
    }

    @Test func rebuildGivesExactlyTheIncrementallyKeptProjections() throws {
        var incremental = try TestStore(seed: 7)
        let lines = try Self.fixtureLines()
        // Three calls, the second out of order within itself.
        try incremental.ingest(Array(lines[0..<7]), projectors: [LineageProjector()])
        try incremental.ingest(Array(lines[7..<14]).reversed(), projectors: [LineageProjector()])
        try incremental.ingest(Array(lines[14...]), projectors: [LineageProjector()])
        let kept = try Self.dump(incremental.paths.store)
        #expect(kept["lineage_run_event"]?.count == 19)
        #expect(kept["lineage_dataset"]?.count == 13)

        let replayed = try incremental.store.rebuildProjections([LineageProjector()])
        #expect(replayed == lines.count)
        #expect(try Self.dump(incremental.paths.store) == kept)
        let report = try incremental.store.verify(projectors: [LineageProjector()])
        #expect(report.isIntact)
        #expect(report.projections?.events == lines.count)
        #expect(report.projections?.tables == LineageProjector().tables.count)
    }

    @Test func projectionsCatchUpWithEventsAppendedWithoutThem() throws {
        var store = try TestStore(seed: 8)
        let lines = try Self.fixtureLines()
        try store.ingest(Array(lines[0..<10]), projectors: [LineageProjector()])
        // A writer that does not pass the projector (an older binary, a tool) appends the rest.
        try store.ingest(Array(lines[10...]))
        // The next reader brings the projections up to the end of the log first.
        let lineage = try Lineage(store: store.store, pack: try PolicyPack.builtIn())
        let trail = try lineage.subject([SubjectIdentifier("bob@example.com")!], vaultKey: store.vaultKey)
        #expect(trail.removals.count == 2)
        // The same calls with the projector kept current (the same seed draws the same tokens).
        var reference = try TestStore(seed: 8)
        try reference.ingest(Array(lines[0..<10]), projectors: [LineageProjector()])
        try reference.ingest(Array(lines[10...]), projectors: [LineageProjector()])
        #expect(try Self.dump(store.paths.store) == Self.dump(reference.paths.store))
        #expect(try store.store.verify(projectors: [LineageProjector()]).isIntact)
    }

    /// Tables filled from empty get their query indexes at the end of the call; whichever way they were
    /// filled, a query must find them, or every walk would scan whole tables.
    @Test func theQueryIndexesExistHoweverTheProjectionsWereFilled() throws {
        let expected: Set = ["lineage_run_job", "lineage_job_event_job", "lineage_io_dataset", "lineage_subject_dataset", "lineage_column_out",
                              "lineage_subject_erasure"]
        func indexes(_ path: String) throws -> Set<String> {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try queue.read { db in
                Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'"))
            }
        }
        let lines = try Self.fixtureLines()
        var ingested = try TestStore(seed: 10)
        try ingested.ingest(lines, projectors: [LineageProjector()])
        #expect(try indexes(ingested.paths.store).isSuperset(of: expected))
        // The index only a fill needs is gone once the query indexes exist.
        #expect(try !indexes(ingested.paths.store).contains("lineage_io_filling"))
        try ingested.store.rebuildProjections([LineageProjector()])
        #expect(try indexes(ingested.paths.store).isSuperset(of: expected))

        var caughtUp = try TestStore(seed: 11)
        try caughtUp.ingest(lines)
        #expect(try indexes(caughtUp.paths.store).isDisjoint(with: expected))
        _ = try Lineage(store: caughtUp.store, pack: try PolicyPack.builtIn()).datasets()
        #expect(try indexes(caughtUp.paths.store).isSuperset(of: expected))
    }

    /// While a fill from empty runs, only its filling indexes exist: each pass of the category upkeep reads
    /// the writers of the datasets it works out, and the column lineage into them, through an index. A scan
    /// of either table in every pass would make a long first ingest or `rebuild` quadratic in its length.
    @Test func aFillsUpkeepReadsThroughAnIndex() throws {
        let queue = try DatabaseQueue()
        let plans = try queue.write { db in
            try db.execute(sql: LineageSchema.createTables)
            try db.execute(sql: LineageSchema.createFillingIndexes)
            let reads: [(String, StatementArguments)] = [
                (QueryContext.writersSQL, ["[1,2]", 10]),
                (QueryContext.columnsSQL("WHERE out_dataset IN (SELECT value FROM json_each(?))"), ["[1,2]"]),
            ]
            return try reads.map { sql, arguments in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
            }
        }
        #expect(plans[0].contains { $0.contains("lineage_io USING") && $0.contains("lineage_io_filling") }, "\(plans[0])")
        #expect(plans[1].contains { $0.contains("lineage_column USING") && $0.contains("lineage_column_out") }, "\(plans[1])")
        #expect(!plans.joined().contains { $0.hasPrefix("SCAN lineage_") }, "\(plans)")
    }

    /// SQLite tells names and facets apart byte by byte; Swift's `==` on strings takes canonically equivalent
    /// text as equal. The writer's memory of ids must tell them apart as the tables do, or a name written in two
    /// spellings of one character would be one dataset when both came in one call and two when they came in two,
    /// and `verify` would call a store kept correctly damaged.
    @Test func namesThatDifferOnlyInTheirUnicodeSpellingAreTwoNodesHoweverTheyArrive() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(composed == decomposed)
        func event(run: Int, dataset: String, job: String, purpose: String) -> String {
            """
            {"eventType":"COMPLETE","eventTime":"2026-03-01T09:0\(run):00Z","producer":"https://example.com/p",\
            "schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",\
            "run":{"runId":"0193a0c1-5e2f-7b3c-8d4e-00000000000\(run)","facets":{"custody_processing":{"_producer":"https://example.com/p",\
            "_schemaURL":"https://example.com/s","operation":"collect","purposes":["essential.service"],"legalBasis":"contract",\
            "controller":{"name":"\(purpose)","country":"DE"}}}},\
            "job":{"namespace":"crm","name":"\(job)"},"inputs":[],\
            "outputs":[{"namespace":"s3://b","name":"\(dataset)","facets":{"custody_personalData":{"_producer":"https://example.com/p",\
            "_schemaURL":"https://example.com/s","categories":["user.name"]}}}]}
            """
        }
        let lines = [event(run: 1, dataset: composed, job: composed, purpose: composed),
                     event(run: 2, dataset: decomposed, job: decomposed, purpose: decomposed)]
        var together = try TestStore(seed: 11)
        try together.ingest(lines, projectors: [LineageProjector()])
        var apart = try TestStore(seed: 11)
        try apart.ingest([lines[0]], projectors: [LineageProjector()])
        try apart.ingest([lines[1]], projectors: [LineageProjector()])
        let kept = try Self.dump(apart.paths.store)
        #expect(kept["lineage_dataset"]?.count == 2)
        #expect(kept["lineage_job"]?.count == 2)
        #expect(kept["lineage_processing"]?.count == 2)
        #expect(try Self.dump(together.paths.store) == kept)
        #expect(try apart.store.verify(projectors: [LineageProjector()]).isIntact)
        #expect(try together.store.verify(projectors: [LineageProjector()]).isIntact)
    }

    @Test func aFailingProjectionRollsBackTheWholeCall() throws {
        var store = try TestStore(seed: 9)
        let lines = try Self.fixtureLines()
        try store.ingest(Array(lines[0..<5]), projectors: [LineageProjector()])
        let before = try Self.dump(store.paths.store)
        // A table the projector needs, made unwritable behind its back: the append must fail as a whole.
        let queue = try DatabaseQueue(path: store.paths.store)
        try queue.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON lineage_io BEGIN SELECT RAISE(ABORT, 'refused'); END")
        }
        try queue.close()
        #expect(throws: (any Error).self) { try store.ingest(Array(lines[5...]), projectors: [LineageProjector()]) }
        #expect(try store.store.head().size == 5)
        #expect(try Self.dump(store.paths.store) == before)
    }
}

/// Projections laid out by another version of Custody.
struct ProjectionLayoutTests {
    @Test func verifyNeverChangesTheStoreAndAQueryRebuildsAnotherLayout() throws {
        var test = try TestStore(seed: 31)
        let lines = try ProjectionTests.fixtureLines()
        try test.ingest(lines, projectors: [LineageProjector()])
        let queue = try DatabaseQueue(path: test.paths.store)
        try queue.write { db in try db.execute(sql: "UPDATE lineage_meta SET value = '1' WHERE key = 'layout'") }
        let rowsBefore = try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM lineage_run_event")! }
        try queue.close()
        // verify compares (and reports the differing layout row) but writes nothing to the store.
        let report = try test.store.verify(projectors: [LineageProjector()])
        #expect(report.problems.contains { $0.message.contains("lineage_meta") })
        let after = try ProjectionTests.dump(test.paths.store)
        #expect(after["lineage_run_event"]?.count == rowsBefore)
        #expect(after["lineage_meta"] == [["\"layout\"", "\"1\""]])
        // The next reader rebuilds the tables in the current layout; then everything verifies.
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn())
        #expect(try lineage.subject([SubjectIdentifier("bob@example.com")!], vaultKey: test.vaultKey).datasets.count == 7)
        #expect(try ProjectionTests.dump(test.paths.store)["lineage_meta"] == [["\"layout\"", "\"\(LineageSchema.layout)\""]])
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
    }
}
