import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyPolicy
import CustodyTestSupport
import Foundation
import Testing

/// A period's findings judged a part at a time (`PolicyEngine.forEachFinding(citing:in:now:eventsPerPart:profilesKept:_:)`,
/// the audit trail's, whose memory must not grow with the log) must be exactly the findings of a whole-store
/// check that cite events of the period, each once, in the order of the last event they cite there.
struct CitingFindingsTests {
    @Test(arguments: ["policy-fixture.jsonl", "lineage-fixture.jsonl", "demo-pipeline.jsonl"])
    func partsOfAFixtureFindWhatTheWholeStoreFinds(_ fixture: String) throws {
        let lines = try String(contentsOf: DecisionTests.examples.appendingPathComponent(fixture), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let harness = try PolicyHarness(lines)
        let compared = try Self.compare(harness, asOf: nil)
        #expect(compared > 5, "\(fixture): the events must give findings to compare")
        // As of a time within the fixtures' events, and after all of them: each part works the categories out
        // from upstream, stopping where an earlier part already did.
        for asOf in ["2026-03-02T12:00:00Z", "2030-01-01T00:00:00Z"] {
            #expect(try Self.compare(harness, asOf: RFC3339.parseInstant(asOf)) > 0, "\(fixture) as of \(asOf)")
        }
    }

    /// Every rule's cases: each kind of finding, judged now or as of an earlier time.
    @Test(arguments: RuleTests.cases)
    func partsFindWhatTheWholeStoreFindsForEachRule(_ testCase: RuleCase) throws {
        let harness = try PolicyHarness(testCase.events, overlay: testCase.overlay)
        let compared = try Self.compare(harness, asOf: testCase.asOf.flatMap(RFC3339.parseInstant))
        #expect(compared >= testCase.findings)
    }

    /// Compares the parts' findings with the whole store's for several periods and part sizes; returns how
    /// many findings the whole log's period holds.
    private static func compare(_ harness: PolicyHarness, asOf: Date?) throws -> Int {
        let lineage = try Lineage(store: harness.test.store, pack: harness.pack, horizon: Horizon(asOf: asOf))
        let engine = PolicyEngine(pack: harness.pack)
        let whole = try engine.check(lineage, now: PolicyHarness.now).findings
        let size = try harness.test.store.head().size
        var compared = 0
        for period in [0..<size, 1..<size, 0..<max(0, size - 2), (size / 3)..<(2 * size / 3)] {
            let expected = ordered(whole, citing: period)
            if period == 0..<size { compared = expected.count }
            // Profiles kept from part to part, or only a few (parts then let go of some, and profile them again).
            for (eventsPerPart, profilesKept) in [(1, PolicyEngine.profilesKept), (1, 2), (2, 1), (3, 5), (1000, PolicyEngine.profilesKept)] {
                var found: [Finding] = []
                var parts = 0
                try engine.forEachFinding(citing: period, in: lineage, now: PolicyHarness.now, eventsPerPart: eventsPerPart,
                    profilesKept: profilesKept) {
                    #expect(!$0.isEmpty)
                    found += $0
                    parts += 1
                }
                #expect(found == expected, "events \(period), \(eventsPerPart) a part, \(profilesKept) profiles kept")
                #expect(parts <= (period.count + eventsPerPart - 1) / eventsPerPart)
            }
        }
        return compared
    }

    /// The findings citing an event of `period`, by the last they cite there, in `check`'s order otherwise.
    private static func ordered(_ findings: [Finding], citing period: Range<Int>) -> [Finding] {
        findings.enumerated().compactMap { index, finding in finding.evidence.filter(period.contains).max().map { ($0, index, finding) } }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }
}
