import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyPolicy
import CustodyTestSupport
import Foundation
import Testing

/// `decide` judges only the part of the store the proposed events touch; it must find exactly what
/// ingesting them and checking the whole store finds citing them.
struct DecisionTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")

    @Test(arguments: ["policy-fixture.jsonl", "lineage-fixture.jsonl"])
    func aDecisionFindsWhatIngestingAndCheckingTheWholeStoreFinds(_ fixture: String) throws {
        let lines = try String(contentsOf: Self.examples.appendingPathComponent(fixture), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let pack = try PolicyPack.builtIn()
        let engine = PolicyEngine(pack: pack)
        var test = try TestStore(seed: 5)
        var cited = 0
        // Event by event, then the last three together.
        let steps = lines.indices.map { $0..<($0 + 1) } + [(lines.count - 3)..<lines.count]
        for step in steps {
            if step.count > 1 {
                test = try TestStore(seed: 5)
                try test.ingest(Array(lines[..<step.lowerBound]), projectors: [LineageProjector()])
            }
            let proposed = Array(lines[step])
            var random = SeededGenerator(seed: 9)
            let decision = try engine.decide([IngestSource.bytes(Array(proposed.joined(separator: "\n").utf8), name: "proposed.jsonl")],
                store: test.store, vaultKey: test.vaultKey, recordedAt: TestStore.recordedAt, random: &random)
            try test.ingest(proposed, projectors: [LineageProjector()])
            let whole = try engine.check(try Lineage(store: test.store, pack: pack), now: TestStore.recordedAt)
            let expected = whole.findings.filter { $0.evidence.contains(where: decision.proposed.contains) }
            #expect(decision.findings == expected, "\(fixture), events \(step)")
            cited += expected.count
        }
        #expect(cited > 5, "the fixture's events must give findings to compare")
    }

    /// A dataset's declarations are evidence in findings about the runs that used it: declaring a special
    /// category on a dataset an earlier run read is judged on that run.
    @Test func aDeclarationIsJudgedOnTheRunsThatAlreadyUsedTheDataset() throws {
        let pack = try PolicyPack.builtIn()
        var test = try TestStore(seed: 6)
        try test.ingest([collection, E.run("scoring", run: 2, at: t(10), purposes: ["essential.service"], legalBasis: "contract",
            inputs: [ds("crm")], outputs: [ds("scores")])], projectors: [LineageProjector()])
        let declaration = E.dataset(ds("crm").categories("user.health_and_medical"), at: t(11))
        var random = SeededGenerator(seed: 9)
        let decision = try PolicyEngine(pack: pack).decide([IngestSource.bytes(Array(declaration.utf8), name: "proposed.jsonl")],
            store: test.store, vaultKey: test.vaultKey, recordedAt: TestStore.recordedAt, random: &random)
        let special = decision.findings.filter { $0.rule == "special-category-condition" }
        #expect(Set(special.compactMap(\.concerns.job?.name)) == ["signup", "scoring"])
        #expect(!decision.allowed)
    }
}
