import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyReports
import CustodyTestSupport
import Foundation
import FoundationXML
import Testing

/// The DSAR on the demo pipeline (examples/demo-pipeline.jsonl): alice@example.com signed up, was
/// enriched by a data broker, profiled, exported to a US processor, scored by an automated decision,
/// looked up by support. Every Art. 15 item is asserted, in the XML and JSON as written.
struct DSARReportTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")
    static let asOf = RFC3339.parseInstant("2026-03-10T00:00:00Z")!

    /// The demo pipeline in a store, with a checkpoint signed after it.
    static func demoStore() throws -> TestStore {
        let lines = try String(contentsOf: examples.appendingPathComponent("demo-pipeline.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        var test = try TestStore(seed: 11)
        try test.ingest(lines, projectors: [LineageProjector()])
        _ = try test.store.signCheckpoint(with: test.signer, at: TestStore.recordedAt)
        return test
    }

    static func dsar(_ test: TestStore, _ identifiers: [String] = ["alice@example.com"], received: Date? = nil) throws -> DSARReport {
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn(), horizon: Horizon(asOf: asOf)).pinned()
        return try DSARReport(lineage: lineage, identifiers: identifiers, vaultKey: test.vaultKey, received: received,
            engineVersion: "test", now: TestStore.recordedAt)
    }

    /// Writes the report in `format` and returns the bytes (the XML is validated on the way).
    static func written(_ report: DSARReport, _ format: ReportFormat, in directory: TemporaryDirectory) throws -> Data {
        let path = directory.file("dsar-\(UUID().uuidString).\(format.fileExtension)")
        try ReportRenderer().write(report, format: format, to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test func theAnswerGivesEveryArticle15ItemForAPersonWithATransferAThirdPartySourceAndAnAutomatedDecision() throws {
        let test = try Self.demoStore()
        let received = RFC3339.parseInstant("2026-01-31T09:00:00Z")!
        let report = try Self.dsar(test, ["alice@example.com"], received: received)
        let xml = try reportDocument(try Self.written(report, .xml, in: test.directory))
        func texts(_ path: String) throws -> [String] { try xml.nodes(forXPath: path).compactMap(\.stringValue) }

        // Request and deadline: one month after 31 January is the last day of February (Art. 12(3)).
        #expect(try texts("/dsar/request/identifiers/identifier") == ["alice@example.com"])
        #expect(try texts("/dsar/request/dueBy") == ["2026-02-28T09:00:00.000Z"])
        #expect(try texts("/dsar/processingConfirmed") == ["true"])

        // Per purpose: legal basis, categories, datasets and the events behind them.
        #expect(try texts("/dsar/purposes/purpose/key") == ["essential.customer_support", "essential.service", "marketing.advertising",
                                                           "marketing.profiling", "service.credit_check"])
        let profiling = "/dsar/purposes/purpose[key='marketing.profiling']"
        #expect(try texts(profiling + "/legalBases/legalBasis") == ["legitimate_interests"])
        #expect(try texts(profiling + "/datasets/dataset") == ["crm.demographics", "profiles/customer_profiles"])
        #expect(try texts(profiling + "/categories/category/key").contains("user.demographic.age_range"))
        #expect(try texts("/dsar/purposes/purpose[key='marketing.advertising']/legalBases/legalBasis") == ["consent"])
        #expect(try texts("/dsar/purposes/purpose[key='marketing.advertising']/recipients/recipient") == ["AdCo Inc"])

        // Recipients with country, role and the date of each disclosure (C-154/21).
        #expect(try texts("/dsar/recipients/recipient/name") == ["AdCo Inc"])
        #expect(try texts("/dsar/recipients/recipient/country") == ["US"])
        #expect(try texts("/dsar/recipients/recipient/thirdCountry") == ["true"])
        #expect(try texts("/dsar/recipients/recipient/disclosures/disclosure/at") == ["2026-03-02T06:00:00.000Z"])

        // Art. 15(2): the transfer to the US and the Chapter V branch that holds (SCCs with an impact assessment).
        #expect(try texts("/dsar/transfers/transfer/destination") == ["US"])
        #expect(try texts("/dsar/transfers/transfer/branch") == ["safeguard"])
        #expect(try texts("/dsar/transfers/transfer/basis").first?.contains("scc_commission") == true)

        // Art. 15(1)(g): the broker the enrichment came from.
        #expect(try texts("/dsar/sources/source[type='third_party']/dataset") == ["crm.demographics"])
        #expect(try texts("/dsar/sources/source[type='third_party']/name") == ["DataBroker GmbH"])

        // Art. 15(1)(h): the automated decision, its logic and significance (the failed attempt decided nothing).
        #expect(try texts("/dsar/automatedDecisions/automatedDecision/job") == ["invoice_eligibility"])
        #expect(try texts("/dsar/automatedDecisions/automatedDecision/logic") == ["score from order history; below 0.4 means prepayment only"])
        #expect(try texts("/dsar/automatedDecisions/automatedDecision/significance") == ["customers below the threshold cannot pay by invoice"])

        // C-579/21: the support agent's lookup.
        #expect(try texts("/dsar/consultations/consultation/job") == ["agent_console_lookup"])
        #expect(try texts("/dsar/consultations/consultation/purposes/purpose") == ["essential.customer_support"])

        // Art. 15(3): where the copy is, present or not; the US audience file among them.
        #expect(Set(try texts("/dsar/copyLocations/copyLocation/dataset")) == ["crm.customers", "crm.demographics", "profiles/customer_profiles",
                                                                            "audience/2026-03-02", "risk.invoice_eligibility"])
        #expect(try texts("/dsar/copyLocations/copyLocation[dataset='audience/2026-03-02']/country") == ["US"])

        // Art. 15(1)(e), (f) and the rights the bases bring: objection (legitimate interests), withdrawal (consent), Art. 22(3).
        for right in ["Objection", "Withdrawal of consent", "Human intervention", "Complaint"] {
            #expect(try texts("/dsar/rights/right[name='\(right)']/applies") == ["true"], "\(right)")
        }

        // Every cited event carries an inclusion proof that leads to the evidence block's root, which is verify's root.
        let verified = try test.store.verify()
        #expect(report.evidence.merkleRoot == verified.root.base64)
        #expect(report.evidence.logSize == verified.size)
        #expect(report.evidence.checkpoint?.coversReport == true)
        let cited = Set(report.purposes.flatMap(\.events) + report.consultations.map(\.event) + report.automatedDecisions.map(\.event)
            + report.sources.map(\.event) + report.transfers.map(\.event))
        #expect(Set(report.proofs.map(\.event)).isSuperset(of: cited))
        let root = [UInt8](Data(base64Encoded: report.evidence.merkleRoot)!)
        for proof in report.proofs {
            try MerkleVerifier.verifyInclusion(index: proof.event, size: report.evidence.logSize,
                leafHash: [UInt8](Data(base64Encoded: proof.leafHash)!), proof: proof.hashes.map { [UInt8](Data(base64Encoded: $0)!) }, root: root)
        }
    }

    @Test func theJSONAndTheXMLCarryTheSameContent() throws {
        let test = try Self.demoStore()
        let report = try Self.dsar(test)
        let json = try JSONSerialization.jsonObject(with: try Self.written(report, .json, in: test.directory)) as! [String: Any]
        let xml = try reportDocument(try Self.written(report, .xml, in: test.directory))
        let purposes = json["purposes"] as! [[String: Any]]
        #expect(purposes.map { $0["key"] as! String } == (try xml.nodes(forXPath: "/dsar/purposes/purpose/key").compactMap(\.stringValue)))
        let evidence = json["evidence"] as! [String: Any]
        #expect(evidence["merkleRoot"] as? String == report.evidence.merkleRoot)
        #expect(evidence["logSize"] as? Int == report.evidence.logSize)
        #expect((json["processingConfirmed"] as? Bool) == true)
    }

    @Test func noDataHeldIsAnAnswer() throws {
        let test = try Self.demoStore()
        let report = try Self.dsar(test, ["nobody@example.com"])
        #expect(!report.processingConfirmed)
        #expect(report.purposes.isEmpty && report.copyLocations.isEmpty && report.proofs.isEmpty)
        let html = String(decoding: try Self.written(report, .html, in: test.directory), as: UTF8.self)
        #expect(html.contains("Our records hold no personal data about you"))
        _ = try Self.written(report, .xml, in: test.directory)
    }

    @Test(arguments: ReportFormat.allCases)
    func theSameStorePackAndAsOfGiveTheSameBytes(_ format: ReportFormat) throws {
        let test = try Self.demoStore()
        let first = try Self.written(try Self.dsar(test), format, in: test.directory)
        let second = try Self.written(try Self.dsar(test), format, in: test.directory)
        #expect(first == second)
        #expect(!first.isEmpty)
    }

    @Test func theEvidenceBlockLinksTheReportToAnOlderSignedCheckpoint() throws {
        // A checkpoint signed after the first 10 events; the report is made after all 14.
        let lines = try String(contentsOf: Self.examples.appendingPathComponent("demo-pipeline.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        var test = try TestStore(seed: 12)
        try test.ingest(Array(lines.prefix(10)), projectors: [LineageProjector()])
        _ = try test.store.signCheckpoint(with: test.signer, at: TestStore.recordedAt)
        try test.ingest(Array(lines.dropFirst(10)), at: TestStore.recordedAt.addingTimeInterval(60), projectors: [LineageProjector()])
        let evidence = try Self.dsar(test).evidence
        let checkpoint = try #require(evidence.checkpoint)
        #expect(checkpoint.treeSize == 10 && evidence.logSize == lines.count && !checkpoint.coversReport)

        // An auditor with the note (and the verifier key) and the report alone: the note's root, the report's
        // root and the consistency proof show that the report's log extends the signed one.
        let note = checkpoint.note.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(note[1] == "10")
        let signedRoot = [UInt8](try #require(Data(base64Encoded: note[2])))
        try MerkleVerifier.verifyConsistency(first: checkpoint.treeSize, second: evidence.logSize, firstRoot: signedRoot,
            secondRoot: [UInt8](Data(base64Encoded: evidence.merkleRoot)!), proof: checkpoint.consistencyHashes.map { [UInt8](Data(base64Encoded: $0)!) })
        // A root that is not the signed log's fails the same check.
        var forged = signedRoot
        forged[0] ^= 1
        #expect(throws: MerkleVerifier.Failure.self) {
            try MerkleVerifier.verifyConsistency(first: checkpoint.treeSize, second: evidence.logSize, firstRoot: forged,
                secondRoot: [UInt8](Data(base64Encoded: evidence.merkleRoot)!), proof: checkpoint.consistencyHashes.map { [UInt8](Data(base64Encoded: $0)!) })
        }
        // As known before the later events were recorded, the report is the checkpoint's log exactly.
        let earlier = try Lineage(store: test.store, pack: try PolicyPack.builtIn(), horizon: Horizon(knownAt: TestStore.recordedAt)).pinned()
        let then = try EvidenceBlock(lineage: earlier, engineVersion: "test", now: TestStore.recordedAt)
        #expect(then.logSize == 10 && then.merkleRoot == note[2] && then.checkpoint?.coversReport == true)
    }
}
