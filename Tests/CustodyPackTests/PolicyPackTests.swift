@testable import CustodyPack
import CustodyModel
import CustodyTestSupport
import Foundation
import Testing

struct PolicyPackTests {
    @Test func theBuiltInPackMatchesThePoliciesFolder() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../policies")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(BuiltInPolicies.files.keys.sorted() == names, "run scripts/embed-resources after editing policies/")
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(BuiltInPolicies.files[name].map { $0 + "\n" } == text, "run scripts/embed-resources after editing policies/\(name)")
        }
    }

    @Test func categoriesResolveWithInheritedFlags() throws {
        let taxonomy = try PolicyPack.builtIn().taxonomy
        let sickLeave = taxonomy.category("user.health_and_medical.sick_leave")
        #expect(sickLeave.specialCategory == "health" && !sickLeave.isKnown && sickLeave.entry?.key == "user.health_and_medical")
        #expect(taxonomy.category("user.contact.email").directIdentifier)
        #expect(taxonomy.category("user.contact.email").entry?.dpv == "pd:EmailAddress")
        #expect(!taxonomy.category("user.contact").directIdentifier)
        #expect(taxonomy.category("user.criminal.conviction").criminal)
        #expect(taxonomy.category("user.biometric").specialCategory == "biometric_for_unique_id")
        let unknown = taxonomy.category("vehicle.plate")
        #expect(unknown.entry == nil && unknown.specialCategory == nil && !unknown.directIdentifier)
        #expect(taxonomy.purpose("marketing.advertising").isKnown)
        #expect(taxonomy.purpose("marketing.advertising.retargeting").entry?.key == "marketing.advertising")
        #expect(taxonomy.subjectType("patient").isKnown)
        #expect(Taxonomy.key("user.contact.email", isWithin: "user.contact") && !Taxonomy.key("user.contactless", isWithin: "user.contact"))
    }

    @Test func locationsResolveToCountriesAndTheEEA() throws {
        let jurisdictions = try PolicyPack.builtIn().jurisdictions
        #expect(jurisdictions.eea.count == 30)
        #expect(jurisdictions.country(of: StorageLocation("aws:eu-west-1")!) == CountryCode("IE"))
        #expect(jurisdictions.country(of: StorageLocation("azure:westeurope")!) == CountryCode("NL"))
        #expect(jurisdictions.country(of: StorageLocation("gcp:us-central1")!) == CountryCode("US"))
        #expect(jurisdictions.country(of: StorageLocation("aws:mars-north-1")!) == nil)
        #expect(jurisdictions.isInEEA(CountryCode("DE")!) && jurisdictions.isInEEA(CountryCode("NO")!))
        #expect(jurisdictions.isInEEA(CountryCode("AX")!), "Åland is part of Finland for the GDPR")
        #expect(!jurisdictions.isInEEA(CountryCode("GB")!) && !jurisdictions.isInEEA(CountryCode("CH")!) && !jurisdictions.isInEEA(CountryCode("GL")!))
        #expect(jurisdictions.location(forNamespace: "postgres://crm.abc123.eu-west-1.rds.amazonaws.com:5432") == StorageLocation("aws:eu-west-1"))
        #expect(jurisdictions.location(forNamespace: "s3://somewhere") == nil)
    }

    @Test(arguments: [("a*c", "abc", true), ("a*c", "ac", true), ("a*a", "a", false), ("*x*", "yxy", true), ("p://h*", "p://host:1", true), ("exact", "exact", true), ("exact", "exactly", false)])
    func namespacePatternsMatchTheWholeNamespace(pattern: String, text: String, expected: Bool) {
        #expect(Jurisdictions.glob(pattern, matches: text) == expected)
    }

    @Test func anOverlayReplacesAFileOfTheSameNameAndAddsOthers() throws {
        let directory = TemporaryDirectory()
        try """
            version: 1
            categories:
              vehicle.plate:
                name: Licence plate
                directIdentifier: true
            namespaces:
              - pattern: "postgres://crm-db*"
                location: DE
              - pattern: "*.eu-west-1.rds.amazonaws.com*"
                location: aws:eu-central-1
            """.write(toFile: directory.file("fleet.yaml"), atomically: true, encoding: .utf8)
        try """
            version: 1
            eea: [DE]
            """.write(toFile: directory.file("jurisdictions.yaml"), atomically: true, encoding: .utf8)
        let builtIn = try PolicyPack.builtIn()
        let pack = try PolicyPack.load(overlay: directory.path)
        #expect(pack.taxonomy.category("vehicle.plate").directIdentifier)
        #expect(pack.taxonomy.category("user.contact.email").directIdentifier, "the built-in taxonomy is still there")
        #expect(pack.jurisdictions.eea == [CountryCode("DE")!], "jurisdictions.yaml was replaced")
        #expect(pack.jurisdictions.providerRegions.isEmpty)
        #expect(pack.jurisdictions.location(forNamespace: "postgres://crm-db:5432") == StorageLocation("DE"))
        #expect(pack.jurisdictions.location(forNamespace: "x.eu-west-1.rds.amazonaws.com") == StorageLocation("aws:eu-central-1"),
            "the overlay's patterns are tried first")
        #expect(pack.digest != builtIn.digest)
        #expect(pack.sources.map(\.name) == BuiltInPolicies.files.keys.sorted() + ["fleet.yaml"])
        #expect(try PolicyPack.load(overlay: directory.path).digest == pack.digest, "the digest is stable")
    }

    @Test(arguments: [
        ("categories:\n  user.x:\n    name: [unclosed\n", 4, "began at line 3"),
        ("categories:\n  user.x:\n    name: X\n    directIdentifier: maybe\n", 4, "true or false"),
        ("categories:\n  User X:\n    name: X\n", 2, "dotted key"),
        ("categories:\n  user.x:\n    name: X\n    specialCategory: gossip\n", 4, "Art. 9(1)"),
        ("categories:\n  user.x:\n    nmae: X\n", 3, "unknown field 'nmae'"),
        ("rulez: []\n", 1, "unknown section 'rulez'"),
        ("eea: [DE, XX]\n", 1, "ISO 3166-1"),
        ("providerRegions:\n  aws:\n    eu-west-9: Ireland\n", 3, "ISO 3166-1"),
        ("namespaces:\n  - pattern: \"x*\"\n", 2, "needs a pattern and a location"),
        ("version: 2\n", 1, "version 1"),
        ("purposes:\n  research:\n    name: R\n    directIdentifier: true\n", 4, "unknown field 'directIdentifier'"),
        // Contradictions only the whole pack shows, located at the entry that causes them.
        ("adequacy:\n  DE:\n    decision: D\n    adopted: 2020-01-01\n", 2, "contradicts the eea list"),
        ("adequacy:\n  XYZ:\n    decision: D\n    adopted: 2020-01-01\n", 2, "neither an ISO 3166-1"),
        ("adequacy:\n  SG:\n    decision: D\n    adopted: 2020-01-01\n    validUntil: 2019-01-01\n", 2, "before it was adopted"),
        ("adequacy:\n  SG:\n    decision: D\n    adopted: 1 May 2020\n", 4, "a date such as"),
        ("adequacy:\n  SG:\n    decision: D\n    adopted: 2020-01-01\n    scope:\n      recipient.size: big\n", 6, "unknown scope condition"),
        ("purposes:\n  research.x:\n    name: X\n    compatibleWith: [reserch]\n", 4, "which no purposes section declares"),
        ("transferBases:\n  - location: US\n    mechanism: adequacy\n", 3, "adequacy section"),
        ("transferBases:\n  - location: US\n    recipient: AdCo\n    mechanism: bcr\n", 3, "not both"),
        ("rules:\n  mine:\n    article: Art. 5\n    severity: warning\n    explanation: E\n    remedy: R\n", 2, "needs a check or a when"),
        ("rules:\n  transfer-basis:\n    when:\n      run:\n        operation: [transfer]\n", 2, "both a built-in check and a when"),
        ("rules:\n  mine:\n    check: vibes\n", 3, "not a check of the engine"),
        ("rules:\n  mine:\n    severity: fatal\n", 3, "unknown severity"),
        ("rules:\n  mine:\n    when:\n      dataset:\n        operation: [copy]\n", 5, "condition on a run"),
        ("rules:\n  Mine Rule:\n    check: transfer\n", 2, "not a rule id"),
        ("retention:\n  periods:\n    crm:\n      purposes: [essential]\n      period: P1Y\n      from: signal:account_closed\n", 6, "not supported yet"),
        ("retention:\n  periods:\n    crm:\n      period: P1Y\n", 3, "needs purposes or categories"),
        ("holds:\n  tax:\n    ground: taxes\n    datasets: [\"dataset:x:*\"]\n    reason: R\n", 3, "not an Art. 17(3) ground"),
    ])
    func aBadPolicyFileIsRejectedWithItsLocation(text: String, line: Int, fragment: String) throws {
        let directory = TemporaryDirectory()
        try text.write(toFile: directory.file("mine.yaml"), atomically: true, encoding: .utf8)
        do {
            _ = try PolicyPack.load(overlay: directory.path)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.file == directory.file("mine.yaml"))
            #expect(error.line == line, "\(error)")
            #expect(error.column >= 1)
            #expect(error.message.contains(fragment), "\(error)")
        }
    }

    @Test func theBuiltInPackKnowsChapterVAndItsRules() throws {
        let pack = try PolicyPack.builtIn()
        let transfers = pack.transfers
        #expect(transfers.organisations["EPO"]?.name == "European Patent Organisation")
        #expect(Set(transfers.adequacy.keys) == ["AD", "AR", "BR", "CA", "CH", "FO", "GB", "GG", "IL", "IM", "JE", "JP", "KR", "NZ", "US", "UY", "EPO"])
        let us = try #require(transfers.adequacy["US"])
        #expect(us.scope.requiresDPFCertification && us.status == .underAppeal)
        #expect(us.scope.gap(hasRecipient: true, dpfCertified: true, regime: nil) == nil)
        #expect(us.scope.gap(hasRecipient: true, dpfCertified: false, regime: nil) != nil)
        #expect(us.scope.gap(hasRecipient: false, dpfCertified: nil, regime: nil) != nil)
        #expect(transfers.adequacy["CA"]?.scope.regimes == ["PIPEDA"])
        let uk = try #require(transfers.adequacy["GB"])
        #expect(uk.isInForce(at: RFC3339.parseInstant("2031-12-27")!) && !uk.isInForce(at: RFC3339.parseInstant("2031-12-28")!))
        let brazil = try #require(transfers.adequacy["BR"])
        #expect(!brazil.isInForce(at: RFC3339.parseInstant("2026-01-25")!) && brazil.isInForce(at: RFC3339.parseInstant("2026-01-26")!))
        #expect(transfers.bases.isEmpty, "the built-in pack records no controller's bases")
        // Every check the engine offers has a rule in the built-in pack, and every rule is on.
        let checks = Set(pack.rules.compactMap { rule -> String? in if case .builtIn(let check) = rule.test { return check } else { return nil } })
        #expect(checks == PolicyRule.builtInChecks)
        #expect(pack.rules.allSatisfy { $0.enabled && !$0.article.isEmpty && !$0.explanation.isEmpty && !$0.remedy.isEmpty })
    }

    @Test func anOverlayChangesRulesFieldByFieldAndAddsItsOwn() throws {
        let directory = TemporaryDirectory()
        try """
            version: 1
            controller:
              name: Example GmbH
              country: DE
              dpo: dpo@example.com
            purposes:
              essential.service:
                name: Delivering the contracted service
                compatibleWith: [analytics.reporting]
            rules:
              third-party-source: { severity: warning }
              unknown-category: { enabled: false }
              no-health-data-abroad:
                article: Art. 9, 44
                severity: violation
                explanation: Health data stays in the EEA.
                remedy: Move the dataset.
                when:
                  dataset:
                    categories: [user.health_and_medical]
                    outsideEEA: true
            """.write(toFile: directory.file("mine.yaml"), atomically: true, encoding: .utf8)
        let pack = try PolicyPack.load(overlay: directory.path)
        let rules = Dictionary(uniqueKeysWithValues: pack.rules.map { ($0.id, $0) })
        #expect(rules["third-party-source"]?.severity == .warning)
        #expect(rules["third-party-source"]?.test == .builtIn("source"), "fields not named stay as they were")
        #expect(rules["unknown-category"]?.enabled == false)
        var condition = RuleCondition(target: .dataset)
        condition.categories = ["user.health_and_medical"]
        condition.outsideEEA = true
        #expect(rules["no-health-data-abroad"]?.test == .condition(condition))
        #expect(pack.rules.last?.id == "no-health-data-abroad")
        #expect(pack.controller?.name == "Example GmbH" && pack.controller?.dpo == "dpo@example.com")
        let taxonomy = pack.taxonomy
        #expect(taxonomy.purpose("analytics.reporting", isCompatibleWith: "essential.service"))
        #expect(taxonomy.purpose("essential.service.billing", isCompatibleWith: "essential.service"), "a purpose's descendants are compatible")
        #expect(taxonomy.purpose("analytics.reporting", isCompatibleWith: "essential.service.billing"), "inherited from the ancestor's list")
        #expect(!taxonomy.purpose("marketing", isCompatibleWith: "essential.service"))
    }

    @Test func aMissingPolicyFolderIsAnError() {
        #expect(throws: PackError.self) { try PolicyPack.load(overlay: "/nonexistent/policies") }
    }
}
