import CustodyLineage
import CustodyPack
@testable import CustodyPolicy
import CustodyTestSupport
import Foundation
import Testing

/// A whole-store check orders findings by the row ids of their datasets and jobs (`NodeRanks`); `decide`
/// and findings whose nodes have no id are ordered by names. Both must give the same order.
struct FindingOrderTests {
    @Test func findingsOrderedByRowIDsComeAsOrderingByNamesPutsThem() throws {
        let lines = try String(contentsOf: DecisionTests.examples.appendingPathComponent("policy-fixture.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let harness = try PolicyHarness(lines)
        let findings = try harness.check().findings
        #expect(Set(findings.compactMap(\.concerns.dataset)).count > 3 && Set(findings.compactMap(\.concerns.job)).count > 3,
            "the fixture must give findings about several datasets and jobs")
        #expect(PolicyEngine.sorted(findings.reversed()).map(\.summary) == findings.map(\.summary))
    }
}
