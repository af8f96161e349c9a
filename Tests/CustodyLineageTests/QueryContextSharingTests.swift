@testable import CustodyLineage
import CustodyLog
import CustodyPack
import CustodyTestSupport
import Foundation
import Testing

/// Whole-store questions make profiles on every core from one query context, with its reads forbidden
/// (`QueryContext.whileReadsForbidden`); when something was not loaded, the profiles are made again on one
/// thread. That fallback rests on what is tested here.
struct QueryContextSharingTests {
    private typealias E = LineageEvents

    @Test func whatIsNotLoadedThrowsWhileReadsAreForbiddenAndIsReadAfterwards() throws {
        var test = try TestStore(seed: 3)
        try test.ingest([E.run("copy", run: 1, at: E.time(9), inputs: [DatasetEntry("crm")], outputs: [DatasetEntry("copy")])],
            projectors: [LineageProjector()])
        let pack = try PolicyPack.builtIn()
        try test.store.read { db in
            let context = try QueryContext(db: db, horizon: Horizon(), pack: pack)
            // Nothing is loaded: a name would have to be read.
            #expect(try context.whileReadsForbidden { try context.datasetName(1) } == nil)
            // Reads are allowed again, and what is read is remembered.
            let name = try context.datasetName(1)
            #expect(["crm", "copy"].contains(name.name))
            // Once loaded, the same question is answered with reads forbidden.
            #expect(try context.whileReadsForbidden { try context.datasetName(1) } == name)
        }
    }

    @Test func aWholeStoreReadMakesTheSameProfilesAsAskingForEachDataset() throws {
        let lines = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/lineage-fixture.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        var test = try TestStore(seed: 4)
        try test.ingest(lines, projectors: [LineageProjector()])
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn())
        let whole = try lineage.runsAndDatasets().datasets
        #expect(whole.count > 5, "the fixture must have datasets to compare")
        #expect(whole.map(\.dataset) == whole.map(\.dataset).sorted(), "listed by name, whichever core made each")
        for profile in whole { #expect(try lineage.dataset(profile.dataset.id) == profile, "\(profile.dataset.id)") }
    }
}
