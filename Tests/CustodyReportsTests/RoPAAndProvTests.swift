import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyPolicy
import CustodyReports
import CustodyTestSupport
import Foundation
import FoundationXML
import Testing

/// The record of processing activities and the PROV export, on the demo pipeline.
struct RoPAAndProvTests {
    /// The pack with the controller's facts, the recipients its record declares, and a retention period.
    static func pack(in directory: TemporaryDirectory) throws -> PolicyPack {
        let folder = directory.file("policies")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
            controller:
              name: Example Retail GmbH
              country: DE
              contact: privacy@example-retail.de
              dpo: dpo@example-retail.de
              supervisoryAuthority: Berliner Beauftragte für Datenschutz und Informationsfreiheit
              securityMeasures: Encryption at rest and in transit; role-based access.
              recipients: [Some Other Processor]
            retention:
              periods:
                marketing: { purposes: [marketing], period: P2Y }
            """.write(toFile: folder + "/controller.yaml", atomically: true, encoding: .utf8)
        return try PolicyPack.load(overlay: folder)
    }

    @Test func theRecordGivesEveryArticle30Item() throws {
        let test = try DSARReportTests.demoStore()
        let pack = try Self.pack(in: test.directory)
        let lineage = try Lineage(store: test.store, pack: pack, horizon: Horizon(asOf: DSARReportTests.asOf)).pinned()
        let report = try RoPAReport(lineage: lineage, engineVersion: "test", now: TestStore.recordedAt)
        let xml = try ReportKindsTests.xml(report, in: test.directory)
        func texts(_ path: String) throws -> [String] { try ReportKindsTests.texts(xml, path) }

        // (a) and (g): who the controller is, with its DPO and security measures.
        #expect(try texts("/ropa/controller/name") == ["Example Retail GmbH"])
        #expect(try texts("/ropa/controller/dpo") == ["dpo@example-retail.de"])
        #expect(try texts("/ropa/controller/securityMeasures") == ["Encryption at rest and in transit; role-based access."])
        // (b): one activity per controller and purpose, each with its jobs.
        let advertising = "/ropa/activities/activity[purpose='marketing.advertising']"
        #expect(try texts(advertising + "/controller") == ["Example Retail GmbH"])
        #expect(try texts(advertising + "/jobs/job") == ["job:crm:export_audience"])
        #expect(try texts("/ropa/activities/activity/purpose").contains("marketing.profiling"))
        // (c): data subjects and categories.
        #expect(try texts(advertising + "/subjectTypes/subjectType") == ["customer"])
        #expect(try texts(advertising + "/categories/category/key").contains("user.contact.email"))
        // (d) and (e): the recipient in a third country and the transfer's basis.
        #expect(try texts(advertising + "/recipients/recipient/name") == ["AdCo Inc"])
        #expect(try texts(advertising + "/recipients/recipient/thirdCountry") == ["true"])
        #expect(try texts(advertising + "/transfers/transfer/destination") == ["US"])
        #expect(try texts(advertising + "/transfers/transfer/branch") == ["safeguard"])
        // (f): the erasure time limit the pack sets for the purpose.
        #expect(try texts(advertising + "/retentionPeriods/retentionPeriod/period") == ["P2Y"])
        #expect(try texts("/ropa/activities/activity[purpose='essential.service']/retentionPeriods/retentionPeriod").isEmpty)

        // Drift: AdCo Inc is not among the declared recipients; the HR inventory's sick-leave category is unknown.
        #expect(try texts("/ropa/drift/driftItem[kind='recipient']/value") == ["AdCo Inc"])
        #expect(try texts("/ropa/drift/driftItem[kind='category']/value") == ["user.health_and_medical.sick_leave"])
        #expect(try texts("/ropa/drift/driftItem[kind='purpose']/value").isEmpty)
    }

    @Test func theProvExportIsTheLineageWithDPVTermsAndNoDanglingReferences() throws {
        let test = try DSARReportTests.demoStore()
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn(), horizon: Horizon(asOf: DSARReportTests.asOf)).pinned()
        let path = test.directory.file("lineage.provx")
        try ProvExport(lineage: lineage).write(to: path)   // validated against the W3C schema on the way
        let document = try XMLDocument(contentsOf: URL(fileURLWithPath: path))
        func values(_ path: String) throws -> [String] { try document.nodes(forXPath: path).compactMap(\.stringValue) }
        func attributes(_ path: String) throws -> [String] {
            try document.nodes(forXPath: path).compactMap { ($0 as? XMLElement)?.attribute(forName: "prov:id")?.stringValue ?? $0.stringValue }
        }

        let datasets = try lineage.datasets()
        #expect(try values("//*[local-name()='entity']/*[local-name()='label']").sorted() == datasets.map(\.dataset.name).sorted())
        let ids = Set(try attributes("//*[@*[local-name()='id']]"))
        let refs = Set(try document.nodes(forXPath: "//*[@*[local-name()='ref']]").compactMap { ($0 as? XMLElement)?.attribute(forName: "prov:ref")?.stringValue })
        #expect(!refs.isEmpty && refs.isSubset(of: ids))
        // The export to the US processor: a transfer activity on consent, the copy attributed to the recipient.
        let export = "//*[local-name()='activity'][*[local-name()='label']='export_audience']"
        #expect(try values(export + "/*[local-name()='type']").contains("dpv:Transfer"))
        #expect(try values(export + "/*[local-name()='hasLegalBasis']") == ["eu-gdpr:A6-1-a"])
        #expect(try values(export + "/*[local-name()='hasPurpose']") == ["dpv:Advertising"])
        #expect(try values("//*[local-name()='organization'][*[local-name()='label']='AdCo Inc']/*[local-name()='type']").contains("dpv:DataProcessor"))
        #expect(try document.nodes(forXPath: "//*[local-name()='wasAttributedTo']").count == 1)
        #expect(try values("//*[local-name()='entity'][*[local-name()='label']='crm.customers']/*[local-name()='hasPersonalData']").contains("pd:EmailAddress"))

        // One person's trail: only the datasets that held their data, and never their identifier.
        let alicePath = test.directory.file("alice.provx")
        try ProvExport(lineage: lineage, subject: ["alice@example.com"], vaultKey: test.vaultKey).write(to: alicePath)
        let alice = try XMLDocument(contentsOf: URL(fileURLWithPath: alicePath))
        let labels = try alice.nodes(forXPath: "//*[local-name()='entity']/*[local-name()='label']").compactMap(\.stringValue)
        #expect(Set(labels) == ["crm.customers", "crm.demographics", "profiles/customer_profiles", "audience/2026-03-02", "risk.invoice_eligibility"])
        #expect(!(try String(contentsOfFile: alicePath, encoding: .utf8)).contains("alice"))
    }

    @Test func custodysOwnRecordsAreNotProcessingInTheProvExport() throws {
        var test = try DSARReportTests.demoStore()
        let pack = try PolicyPack.builtIn()
        _ = try ErasureLifecycle(store: test.store, pack: pack, vaultKey: test.vaultKey).request([SubjectIdentifier("alice@example.com")!],
            ground: nil, reason: nil, shred: false, now: TestStore.recordedAt, random: &test.random)
        let lineage = try Lineage(store: test.store, pack: pack).pinned()
        #expect(try lineage.events(ofJob: ErasureRecords.job).count == 1, "the request is in the log")
        let path = test.directory.file("lineage.provx")
        try ProvExport(lineage: lineage).write(to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("job:custody:erasure") && !text.contains("<prov:label>erasure</prov:label>"))
    }
}
