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
        #expect(pack.sources.map(\.name) == ["jurisdictions.yaml", "taxonomy.yaml", "fleet.yaml"])
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

    @Test func aMissingPolicyFolderIsAnError() {
        #expect(throws: PackError.self) { try PolicyPack.load(overlay: "/nonexistent/policies") }
    }
}
