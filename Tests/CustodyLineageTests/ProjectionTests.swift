import CustodyLineage
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
