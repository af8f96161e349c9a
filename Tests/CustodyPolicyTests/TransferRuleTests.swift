import CustodyLineage
import CustodyPack
import CustodyPolicy
import CustodyTestSupport
import Foundation
import Testing

/// One Chapter V situation: what a run after the collection does, and the branch the check must report.
struct TransferCase: CustomTestStringConvertible, Sendable {
    let name: String
    /// Events after the collection of `crm`.
    let events: [String]
    /// The expected branch of each transfer finding, by destination; empty: no transfer at all.
    let branches: [String: TransferAssessment.Branch]
    var overlay: [String: String] = [:]
    /// A fragment the finding's summary must contain.
    var mentions: String? = nil

    var testDescription: String { name }
}

private func export(_ output: DatasetEntry, recipient: [String: any Sendable]? = nil, mechanism: (any Sendable)? = nil,
                    controller: [String: any Sendable]? = nil) -> String {
    var processing: [String: any Sendable] = [:]
    if let recipient { processing["recipient"] = recipient }
    if let mechanism { processing["transferMechanism"] = mechanism }
    if let controller { processing["controller"] = controller }
    return E.run("export", run: 2, at: t(10), operation: "transfer", purposes: ["essential.service"], legalBasis: "contract",
        processing: processing, inputs: [ds("crm")], outputs: [output])
}

private func recipient(_ name: String, country: String? = nil, organisation: String? = nil, regime: String? = nil, dpf: Bool? = nil) -> [String: any Sendable] {
    var object: [String: any Sendable] = ["name": name, "role": "processor"]
    if let country { object["country"] = country }
    if let organisation { object["internationalOrganisation"] = organisation }
    if let regime { object["regime"] = regime }
    if let dpf { object["dpfCertified"] = dpf }
    return object
}

struct TransferRuleTests {
    static let cases: [TransferCase] = [
        TransferCase(name: "storage in the EEA is no transfer", events: [export(ds("copy").location("FR"))], branches: [:]),
        TransferCase(name: "the United Kingdom under its adequacy decision", events: [export(ds("copy").location("GB"))],
            branches: ["GB": .adequacy], mentions: "2021/1772"),
        TransferCase(name: "Switzerland under its adequacy decision", events: [export(ds("copy").location("CH"))], branches: ["CH": .adequacy]),
        TransferCase(name: "Brazil under the 2026 decision", events: [export(ds("copy").location("BR"))], branches: ["BR": .adequacy]),
        TransferCase(name: "a US recipient certified under the DPF",
            events: [export(ds("copy").location("US"), recipient: recipient("AdCo Inc", country: "US", dpf: true))], branches: ["US": .adequacy]),
        TransferCase(name: "a US recipient not certified, with nothing else", events: [
            export(ds("copy").location("US"), recipient: recipient("AdCo Inc", country: "US", dpf: false)),
        ], branches: ["US": .none], mentions: "Data Privacy Framework"),
        TransferCase(name: "a Canadian recipient under PIPEDA",
            events: [export(ds("copy").location("CA"), recipient: recipient("MapleSoft", country: "CA", regime: "PIPEDA"))], branches: ["CA": .adequacy]),
        TransferCase(name: "a Canadian recipient outside PIPEDA", events: [
            export(ds("copy").location("CA"), recipient: recipient("Ontario Health", country: "CA")),
        ], branches: ["CA": .none], mentions: "PIPEDA"),
        TransferCase(name: "an Art. 46 tool with its impact assessment", events: [
            export(ds("copy").location("IN"), recipient: recipient("Bangalore Support", country: "IN"),
                mechanism: ["type": "scc_commission", "tiaRef": "TIA-2026-01"] as [String: any Sendable]),
        ], branches: ["IN": .safeguard], mentions: "TIA-2026-01"),
        TransferCase(name: "an Art. 46 tool without an impact assessment", events: [
            export(ds("copy").location("IN"), recipient: recipient("Bangalore Support", country: "IN"), mechanism: "scc_commission"),
        ], branches: ["IN": .none], mentions: "tiaRef"),
        TransferCase(name: "ad hoc clauses need the authority's authorisation", events: [
            export(ds("copy").location("IN"), recipient: recipient("Bangalore Support", country: "IN"),
                mechanism: ["type": "ad_hoc_clauses", "tiaRef": "TIA-7"] as [String: any Sendable]),
        ], branches: ["IN": .none], mentions: "authorisationRef"),
        TransferCase(name: "an Art. 49 derogation is a warning", events: [
            export(ds("copy").location("IN"), recipient: recipient("Court of Mumbai", country: "IN"), mechanism: "derogation:legal_claims"),
        ], branches: ["IN": .derogation]),
        TransferCase(name: "a public authority cannot rely on consent-type derogations", events: [
            export(ds("copy").location("IN"), recipient: recipient("Bangalore Support", country: "IN"), mechanism: "derogation:contract_with_subject",
                controller: ["name": "City of Ghent", "country": "BE", "publicAuthority": true]),
        ], branches: ["IN": .none], mentions: "49(3)"),
        TransferCase(name: "a country with nothing", events: [export(ds("copy").location("CN"))], branches: ["CN": .none]),
        TransferCase(name: "storage in a US cloud region with no recipient is outside the DPF decision",
            events: [export(ds("copy").location("aws:us-east-1"))], branches: ["US": .none], mentions: "no recipient is named"),
        TransferCase(name: "a basis recorded once in a policy file for the region", events: [export(ds("copy").location("aws:us-east-1"))],
            branches: ["US": .safeguard],
            overlay: ["transfers.yaml": """
                transferBases:
                  - location: aws:us-east-1
                    mechanism: scc_commission
                    tiaRef: TIA-AWS-2026
                """],
            mentions: "policy file (location aws:us-east-1)"),
        TransferCase(name: "an onward transfer from the US to India needs its own basis", events: [
            export(ds("copy").location("US"), recipient: recipient("AdCo Inc", country: "US", dpf: true)),
            E.run("forward", run: 3, at: t(11), operation: "copy", purposes: ["essential.service"], legalBasis: "contract",
                  inputs: [ds("copy")], outputs: [ds("offshore").location("IN")]),
        ], branches: ["US": .adequacy, "IN": .none], mentions: "onward transfer from US"),
        TransferCase(name: "data already abroad that stays in its country is no new transfer", events: [
            export(ds("copy").location("US"), recipient: recipient("AdCo Inc", country: "US", dpf: true)),
            E.run("reshape", run: 3, at: t(11), operation: "transform", purposes: ["essential.service"], legalBasis: "contract",
                  inputs: [ds("copy")], outputs: [ds("copy2").location("aws:us-east-1")]),
        ], branches: ["US": .adequacy]),
        TransferCase(name: "erasing data abroad moves nothing", events: [
            export(ds("copy").location("US"), recipient: recipient("AdCo Inc", country: "US", dpf: true)),
            E.run("forget", run: 3, at: t(11), operation: "erase", legalBasis: "legal_obligation",
                  outputs: [ds("copy").erased("alice@example.com")]),
        ], branches: ["US": .adequacy]),
        TransferCase(name: "the European Patent Organisation under its decision", events: [
            export(ds("copy").location("DE"), recipient: recipient("European Patent Office", organisation: "EPO")),
        ], branches: ["EPO": .adequacy], mentions: "2025/1382"),
    ]

    @Test(arguments: cases)
    func eachTransferGetsItsBranch(_ testCase: TransferCase) throws {
        let harness = try PolicyHarness([collection] + testCase.events, overlay: testCase.overlay)
        let findings = try harness.findings("transfer-basis")
        var branches: [String: TransferAssessment.Branch] = [:]
        for finding in findings {
            let assessment = try #require(finding.transfer)
            #expect(branches[assessment.destination] == nil, "one finding per destination: \(finding.summary)")
            branches[assessment.destination] = assessment.branch
            let expected: Severity = switch assessment.branch {
            case .none: .violation
            case .derogation: .warning
            default: .info
            }
            #expect(finding.severity == expected, "\(finding.summary)")
            #expect(finding.article == "Art. 44-49")
            #expect(!finding.evidence.isEmpty)
        }
        #expect(branches == testCase.branches, "\(findings.map(\.summary))")
        if let mentions = testCase.mentions {
            #expect(findings.contains { $0.summary.contains(mentions) }, "\(findings.map(\.summary))")
        }
    }

    @Test func adequacyCountsOnlyWhileTheDecisionIsInForce() throws {
        // Brazil's decision was adopted on 26 January 2026: a transfer in 2025 had no basis.
        let early = E.run("export", run: 2, at: "2025-06-01T10:00:00Z", operation: "transfer", purposes: ["essential.service"], legalBasis: "contract",
            inputs: [ds("crm")], outputs: [ds("copy").location("BR")])
        let early_collection = E.run("signup", run: 1, at: "2025-05-01T09:00:00Z", operation: "collect", purposes: ["essential.service"],
            legalBasis: "contract", processing: ["source": ["type": "data_subject"]],
            outputs: [ds("crm").subjects("alice@example.com").categories("user.contact.email").location("DE")])
        let findings = try PolicyHarness([early_collection, early]).findings("transfer-basis")
        #expect(findings.map { $0.transfer?.branch } == [TransferAssessment.Branch.none])
        #expect(findings.first?.summary.contains("not in force") == true)
    }
}
