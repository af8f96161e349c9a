import CustodyLineage
import CustodyModel
import CustodyPack
import CustodyPolicy
import CustodyTestSupport
import Foundation
import Testing

/// One rule on one small event stream: how many findings it must give (0: the stream passes it).
struct RuleCase: CustomTestStringConvertible, Sendable {
    let name: String
    let rule: String
    let events: [String]
    let findings: Int
    /// A fragment every finding's summary contains.
    var mentions: String? = nil
    var overlay: [String: String] = [:]
    /// Judged as of this time (default: 2 March 2026).
    var asOf: String? = nil
    /// The severity every finding must have, when not the rule's own.
    var severity: Severity? = nil

    var testDescription: String { "\(rule): \(name)" }
}

private func use(_ job: String, run: Int, _ eventType: String = "COMPLETE", operation: String = "transform", purposes: [String] = ["essential.service"],
                 legalBasis: String? = "contract", processing: [String: any Sendable] = [:], inputs: [String] = ["crm"],
                 outputs: [DatasetEntry] = [ds("derived").location("DE")]) -> String {
    E.run(job, eventType, run: run, at: t(10 + run), operation: operation, purposes: purposes, legalBasis: legalBasis, processing: processing,
          inputs: inputs.map(ds), outputs: outputs)
}

/// Health data about Alice, collected on consent with explicit consent for the special category.
private let healthCollection = E.run("intake", run: 1, at: t(9), operation: "collect", purposes: ["essential.service"], legalBasis: "consent",
    processing: ["source": ["type": "data_subject"], "specialCategoryCondition": "explicit_consent"],
    outputs: [ds("crm").subjects("alice@example.com").categories("user.health_and_medical").location("DE")])

private let criminalCollection = E.run("screening", run: 1, at: t(9), operation: "collect", purposes: ["hr"], legalBasis: "legal_obligation",
    processing: ["source": ["type": "public", "name": "court register"], "criminalDataAuthorisation": "authorised_by_law"],
    outputs: [ds("crm").subjects("alice@example.com").categories("user.criminal.conviction").location("DE")])

/// Alice signs up on 1 March, Bob on 20 March, into the same table.
private let presenceStream = [
    collection,
    E.run("signup", run: 5, at: "2026-03-20T09:00:00Z", operation: "collect", purposes: ["essential.service"], legalBasis: "contract",
          processing: ["source": ["type": "data_subject"]], outputs: [ds("crm").subjects("bob@example.com")]),
]
/// Alice is erased on 2 April.
private let presenceErasure = E.run("forget", run: 6, at: "2026-04-02T09:00:00Z", operation: "erase", legalBasis: "legal_obligation",
    inputs: [ds("crm")], outputs: [ds("crm").erased("alice@example.com")])

/// A policy file with these retention periods.
private func keep(_ periods: String) -> String {
    "retention:\n  periods:\n    \(periods)\n"
}

struct RuleTests {
    static let cases: [RuleCase] = [
        RuleCase(name: "every run on personal data names a basis", rule: "lawful-basis", events: [collection, use("report", run: 2)], findings: 0),
        RuleCase(name: "a run without a basis", rule: "lawful-basis", events: [collection, use("report", run: 2, legalBasis: nil)], findings: 1,
            mentions: "report"),
        RuleCase(name: "a failed run without a basis is judged too", rule: "lawful-basis",
            events: [collection, use("report", run: 2, "FAIL", legalBasis: nil)], findings: 1),
        RuleCase(name: "a run on anonymous data needs none", rule: "lawful-basis", events: [
            collection, use("anon", run: 2, operation: "anonymize", outputs: [ds("stats").location("DE")]),
            use("chart", run: 3, legalBasis: nil, inputs: ["stats"], outputs: [ds("chart").location("DE")]),
        ], findings: 0),
        RuleCase(name: "a public authority on legitimate interests", rule: "public-authority-legitimate-interests", events: [
            collection, use("profile", run: 2, legalBasis: "legitimate_interests",
                            processing: ["controller": ["name": "City of Ghent", "country": "BE", "publicAuthority": true] as [String: any Sendable]]),
        ], findings: 1, mentions: "City of Ghent"),
        RuleCase(name: "a company on legitimate interests", rule: "public-authority-legitimate-interests", events: [
            collection, use("profile", run: 2, legalBasis: "legitimate_interests", processing: ["controller": ["name": "Example GmbH", "country": "DE"]]),
        ], findings: 0),
        RuleCase(name: "special categories with a basis and a condition", rule: "special-category-condition", events: [healthCollection], findings: 0),
        RuleCase(name: "derived special categories without a condition", rule: "special-category-condition",
            events: [healthCollection, use("risk_model", run: 2)], findings: 1, mentions: "user.health_and_medical"),
        RuleCase(name: "special categories without a basis", rule: "special-category-condition", events: [
            healthCollection, use("risk_model", run: 2, legalBasis: nil, processing: ["specialCategoryCondition": "health_social_care"]),
        ], findings: 1, mentions: "Art. 6(1) basis"),
        RuleCase(name: "criminal data with an authorisation", rule: "criminal-data-authorisation", events: [criminalCollection], findings: 0),
        RuleCase(name: "criminal data copied without one", rule: "criminal-data-authorisation", events: [criminalCollection, use("hr_copy", run: 2)],
            findings: 1, mentions: "user.criminal.conviction"),
        RuleCase(name: "a collection from the person", rule: "third-party-source", events: [collection], findings: 0),
        RuleCase(name: "a collection from a named third party", rule: "third-party-source", events: [
            E.run("buy_list", run: 1, at: t(9), operation: "collect", purposes: ["marketing"], legalBasis: "legitimate_interests",
                  processing: ["source": ["type": "third_party", "name": "ListBroker Ltd"]], outputs: [ds("leads").subjects("bob@example.com").location("DE")]),
        ], findings: 0),
        RuleCase(name: "a collection from an unnamed third party", rule: "third-party-source", events: [
            E.run("buy_list", run: 1, at: t(9), operation: "collect", purposes: ["marketing"], legalBasis: "legitimate_interests",
                  processing: ["source": ["type": "third_party"]], outputs: [ds("leads").subjects("bob@example.com").location("DE")]),
        ], findings: 1, mentions: "without naming it"),
        RuleCase(name: "a collection that does not say where from", rule: "third-party-source", events: [
            E.run("buy_list", run: 1, at: t(9), operation: "collect", purposes: ["marketing"], legalBasis: "legitimate_interests",
                  outputs: [ds("leads").subjects("bob@example.com").location("DE")]),
        ], findings: 1),
        RuleCase(name: "an automated decision on special categories with explicit consent", rule: "automated-decision-special-category",
            events: [healthCollection, use("triage", run: 2, operation: "decide", processing: ["specialCategoryCondition": "explicit_consent"])], findings: 0),
        RuleCase(name: "an automated decision on special categories for health care", rule: "automated-decision-special-category",
            events: [healthCollection, use("triage", run: 2, operation: "decide", processing: ["specialCategoryCondition": "health_social_care"])],
            findings: 1, mentions: "health_social_care"),
        RuleCase(name: "a further purpose within the original one", rule: "purpose-compatibility",
            events: [collection, use("billing", run: 2, purposes: ["essential.service.billing"])], findings: 0),
        RuleCase(name: "an incompatible purpose carried two hops downstream", rule: "purpose-compatibility", events: [
            collection, use("copy", run: 2), use("ads", run: 3, purposes: ["marketing.advertising"], legalBasis: "legitimate_interests", inputs: ["derived"],
                                                  outputs: [ds("audience").location("DE")]),
        ], findings: 1, mentions: "marketing.advertising"),
        RuleCase(name: "an incompatible purpose on consent is allowed", rule: "purpose-compatibility",
            events: [collection, use("ads", run: 2, purposes: ["marketing.advertising"], legalBasis: "consent")], findings: 0),
        RuleCase(name: "a purpose the pack lists as compatible", rule: "purpose-compatibility",
            events: [collection, use("report", run: 2, purposes: ["analytics.reporting"])], findings: 0,
            overlay: ["compatible.yaml": "purposes:\n  essential.service:\n    name: Service\n    compatibleWith: [analytics.reporting]\n"]),
        RuleCase(name: "a dataset with a location", rule: "unknown-location", events: [collection], findings: 0),
        RuleCase(name: "a dataset with no location", rule: "unknown-location",
            events: [collection, use("copy", run: 2, outputs: [ds("somewhere")])], findings: 1, mentions: "somewhere"),
        RuleCase(name: "a dataset in a region the pack does not know", rule: "unknown-location",
            events: [collection, use("copy", run: 2, outputs: [ds("moon").location("aws:moon-base-1")])], findings: 1, mentions: "aws:moon-base-1"),
        RuleCase(name: "a category the taxonomy lacks", rule: "unknown-category", events: [
            E.run("fleet", run: 1, at: t(9), operation: "collect", purposes: ["essential.service"], legalBasis: "contract",
                  processing: ["source": ["type": "data_subject"]], outputs: [ds("cars").categories("vehicle.plate").location("DE")]),
        ], findings: 1, mentions: "vehicle.plate"),
        RuleCase(name: "a purpose the taxonomy lacks", rule: "unknown-purpose",
            events: [collection, use("report", run: 2, purposes: ["analytcs"])], findings: 1, mentions: "analytcs"),
        RuleCase(name: "people written back after their erasure", rule: "after-erasure", events: [
            collection,
            E.run("forget", run: 2, at: t(11), operation: "erase", legalBasis: "legal_obligation", inputs: [ds("crm")],
                  outputs: [ds("crm").erased("alice@example.com")]),
            E.run("restore", run: 3, at: t(12), operation: "copy", purposes: ["essential.service"], legalBasis: "contract",
                  outputs: [ds("crm").subjects("alice@example.com")]),
        ], findings: 1, mentions: "erased from crm"),
        RuleCase(name: "an erasure that stays", rule: "after-erasure", events: [
            collection,
            E.run("forget", run: 2, at: t(11), operation: "erase", legalBasis: "legal_obligation", inputs: [ds("crm")],
                  outputs: [ds("crm").erased("alice@example.com")]),
        ], findings: 0),
        RuleCase(name: "a rule of the user's on datasets", rule: "no-health-data-abroad", events: [
            healthCollection, use("copy", run: 2, processing: ["specialCategoryCondition": "health_social_care"],
                                  outputs: [ds("us_copy").location("US"), ds("eu_copy").location("FR")]),
        ], findings: 1, mentions: "us_copy", overlay: ["mine.yaml": """
            rules:
              no-health-data-abroad:
                article: Art. 9, 44
                severity: violation
                explanation: Health data stays in the EEA.
                remedy: Move the dataset.
                when:
                  dataset:
                    categories: [user.health_and_medical]
                    outsideEEA: true
            """]),
        RuleCase(name: "a rule of the user's on runs", rule: "no-marketing-on-interests", events: [
            collection, use("ads", run: 2, purposes: ["marketing.advertising"], legalBasis: "legitimate_interests"),
            use("ads2", run: 3, purposes: ["marketing.advertising"], legalBasis: "consent"),
        ], findings: 1, mentions: "ads", overlay: ["mine.yaml": """
            rules:
              no-marketing-on-interests:
                article: Art. 21(2)
                severity: warning
                explanation: Marketing runs on consent here.
                remedy: Ask for consent.
                when:
                  run:
                    purposes: [marketing]
                    legalBasis: [legitimate_interests]
            """]),
        RuleCase(name: "data past its deadline", rule: "retention-deadline", events: [collection], findings: 1, mentions: "days past",
            overlay: ["keep.yaml": keep("accounts: { purposes: [essential.service], period: P30D }")], asOf: "2026-04-15"),
        RuleCase(name: "data within the warning window", rule: "retention-deadline", events: [collection], findings: 1, mentions: "in 10 days",
            overlay: ["keep.yaml": keep("accounts: { purposes: [essential.service], period: P30D }")], asOf: "2026-03-20", severity: .warning),
        RuleCase(name: "data well within its period", rule: "retention-deadline", events: [collection], findings: 0,
            overlay: ["keep.yaml": keep("accounts: { purposes: [essential.service], period: P90D }")], asOf: "2026-03-20"),
        RuleCase(name: "a copy made later is as old as the data it copied", rule: "retention-deadline",
            events: [collection, E.run("backup", run: 2, at: "2026-03-10T09:00:00Z", operation: "copy", purposes: ["essential.service"],
                                       legalBasis: "contract", inputs: [ds("crm")], outputs: [ds("backup").location("DE")])],
            findings: 2, overlay: ["keep.yaml": keep("accounts: { purposes: [essential.service], period: P30D }")], asOf: "2026-04-05"),
        RuleCase(name: "an Art. 17(3) hold suspends the deadline", rule: "retention-deadline", events: [collection], findings: 0,
            overlay: ["keep.yaml": keep("accounts: { purposes: [essential.service], period: P30D }")
                + "holds:\n  claims:\n    ground: legal_claims\n    datasets: [\"dataset:postgres://db:5432:crm*\"]\n    reason: A pending claim.\n"],
            asOf: "2026-04-15"),
        RuleCase(name: "for one purpose the shortest period wins", rule: "retention-deadline",
            events: [collection, use("ads", run: 2, purposes: ["marketing.advertising"], legalBasis: "consent", inputs: ["crm"],
                                     outputs: [ds("audience").location("DE")])],
            findings: 1, mentions: "audience",
            overlay: ["keep.yaml": keep("ads: { purposes: [marketing.advertising], period: P30D }\n    marketing: { purposes: [marketing], period: P1Y }\n    accounts: { purposes: [essential.service], period: P2Y }")],
            asOf: "2026-04-15"),
        RuleCase(name: "data serving several purposes is kept until the latest deadline", rule: "retention-deadline",
            events: [collection, use("ads", run: 2, purposes: ["marketing.advertising"], legalBasis: "consent", inputs: ["crm"], outputs: [])],
            findings: 0,
            overlay: ["keep.yaml": keep("ads: { purposes: [marketing], period: P30D }\n    accounts: { purposes: [essential.service], period: P2Y }")],
            asOf: "2026-04-15"),
        // Judged now rather than as of a date: a view of the whole log reads a reader's purposes from its run's row.
        RuleCase(name: "a purpose only a run that read the data serves keeps it too", rule: "retention-deadline",
            events: [collection, use("ads", run: 2, purposes: ["marketing.advertising"], legalBasis: "consent", inputs: ["crm"], outputs: [])],
            findings: 0,
            overlay: ["keep.yaml": keep("ads: { purposes: [marketing], period: P2Y }\n    accounts: { purposes: [essential.service], period: PT1H }")]),
        RuleCase(name: "a presence clock counts from the earliest person still there", rule: "retention-deadline",
            events: presenceStream, findings: 1, mentions: "1 of 2 people past it",
            overlay: ["keep.yaml": keep("accounts: { purposes: [essential.service], period: P30D, from: presence }")], asOf: "2026-04-05"),
        RuleCase(name: "a presence clock: once the oldest person is erased, the next one sets the deadline", rule: "retention-deadline",
            events: presenceStream + [presenceErasure], findings: 1, mentions: "reaches its retention deadline 2026-04-19",
            overlay: ["keep.yaml": keep("accounts: { purposes: [essential.service], period: P30D, from: presence }")], asOf: "2026-04-05",
            severity: .warning),
        RuleCase(name: "a first-write clock does not move when the oldest person is erased", rule: "retention-deadline",
            events: presenceStream + [presenceErasure], findings: 1, mentions: "from its first write on 2026-03-01",
            overlay: ["keep.yaml": keep("accounts: { purposes: [essential.service], period: P30D }")], asOf: "2026-04-05"),
        RuleCase(name: "a declared retention longer than the pack's", rule: "retention-declaration",
            events: [E.run("signup", run: 1, at: t(9), operation: "collect", purposes: ["essential.service"], legalBasis: "contract",
                           processing: ["source": ["type": "data_subject"]],
                           outputs: [ds("crm").subjects("alice@example.com").categories("user.contact.email").location("DE").retention("P5Y")])],
            findings: 1, mentions: "P5Y", overlay: ["keep.yaml": keep("accounts: { purposes: [essential.service], period: P2Y }")]),
        RuleCase(name: "a declared retention within the pack's", rule: "retention-declaration",
            events: [E.run("signup", run: 1, at: t(9), operation: "collect", purposes: ["essential.service"], legalBasis: "contract",
                           processing: ["source": ["type": "data_subject"]],
                           outputs: [ds("crm").subjects("alice@example.com").categories("user.contact.email").location("DE").retention("P1Y")])],
            findings: 0, overlay: ["keep.yaml": keep("accounts: { purposes: [essential.service], period: P2Y }")]),
        RuleCase(name: "a rule switched off finds nothing", rule: "lawful-basis",
            events: [collection, use("report", run: 2, legalBasis: nil)], findings: 0,
            overlay: ["off.yaml": "rules:\n  lawful-basis: { enabled: false }\n"]),
    ]

    /// One job's runs on one dataset: their findings come in the order the runs started, not in their ids' order.
    @Test func aJobsFindingsOnADatasetFollowTheOrderItsRunsStarted() throws {
        func ads(run: Int, at time: String) -> String {
            E.run("ads", run: run, at: time, operation: "transform", purposes: ["marketing.advertising"], legalBasis: "legitimate_interests",
                  inputs: [ds("crm")], outputs: [ds("audience").location("DE")])
        }
        // Ids in text order: 3, 0x10, 0x20; started: 0x20, 3, 0x10.
        let harness = try PolicyHarness([collection, ads(run: 0x20, at: t(11)), ads(run: 3, at: t(12)), ads(run: 0x10, at: t(13))])
        let findings = try harness.findings("purpose-compatibility")
        #expect(findings.map(\.concerns.runID) == [0x20, 3, 0x10].map(EventFixtures.runId))
    }

    @Test(arguments: cases)
    func eachRuleFindsWhatItShould(_ testCase: RuleCase) throws {
        let harness = try PolicyHarness(testCase.events, overlay: testCase.overlay)
        let findings = try harness.findings(testCase.rule, asOf: testCase.asOf.flatMap(RFC3339.parseInstant))
        #expect(findings.count == testCase.findings, "\(findings.map(\.summary))")
        let rule = try #require(harness.pack.rules.first { $0.id == testCase.rule })
        for finding in findings {
            #expect(finding.article == rule.article && finding.severity == testCase.severity ?? rule.severity)
            #expect(!finding.evidence.isEmpty, "\(finding.summary)")
            if let mentions = testCase.mentions { #expect(finding.summary.contains(mentions), "\(finding.summary)") }
        }
    }
}
