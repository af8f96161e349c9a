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

/// The audit trail, breach, retention and transfers reports on the example pipelines, asserted field by
/// field in the XML they write (which the renderer validated against the kind's schema).
struct ReportKindsTests {
    static let examples = DSARReportTests.examples

    static func lines(_ fixture: String) throws -> [String] {
        try String(contentsOf: examples.appendingPathComponent(fixture), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func xml(_ report: some Report, in directory: TemporaryDirectory) throws -> XMLDocument {
        let path = directory.file("\(type(of: report).kind)-\(UUID().uuidString).xml")
        try ReportRenderer().write(report, format: .xml, to: path)
        return try reportDocument(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func texts(_ document: XMLDocument, _ path: String) throws -> [String] {
        try document.nodes(forXPath: path).compactMap(\.stringValue)
    }

    @Test func theAuditTrailListsTheEventsRecordedInItsPeriodWithTheirLeafHashesAndFindings() throws {
        let lines = try Self.lines("demo-pipeline.jsonl")
        var test = try TestStore(seed: 21)
        let first = TestStore.recordedAt, second = first.addingTimeInterval(86_400)
        try test.ingest(Array(lines.prefix(4)), at: first, projectors: [LineageProjector()])
        try test.ingest(Array(lines.dropFirst(4)), at: second, projectors: [LineageProjector()])
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn(), horizon: Horizon(asOf: DSARReportTests.asOf)).pinned()

        // The whole log: every event in order, each leaf hash the one the Merkle tree holds.
        let whole = try Self.xml(try AuditReport(lineage: lineage, from: nil, to: nil, engineVersion: "test", now: first), in: test.directory)
        #expect(try Self.texts(whole, "/audit/events/event/seq") == lines.indices.map(String.init))
        for seq in [0, 6, lines.count - 1] {
            let leaf = try test.store.inclusionProof(seq: seq, size: lines.count).leafHash.base64
            #expect(try Self.texts(whole, "/audit/events/event[seq=\(seq)]/leafHash") == [leaf])
        }
        #expect(try Self.texts(whole, "/audit/events/event[seq=6]/job") == ["job:crm:export_audience"])
        #expect(try Self.texts(whole, "/audit/events/event[seq=6]/operation") == ["transfer"])
        #expect(try Self.texts(whole, "/audit/events/event[seq=6]/legalBasis") == ["consent"])
        #expect(try Self.texts(whole, "/audit/events/event[seq=6]/outputs/output") == ["dataset:s3://adco-us:audience/2026-03-02"])
        // Every finding of the store's check, each once, in the order of the last event it cites.
        let check = try PolicyEngine(pack: lineage.pack).check(lineage, now: first)
        let listed = try AuditReport(lineage: lineage, from: nil, to: nil, engineVersion: "test", now: first).findings()
        #expect(try Self.texts(whole, "/audit/findings/finding/summary") == listed.map(\.summary))
        #expect(listed.map(\.summary).sorted() == check.findings.map(\.summary).sorted())
        #expect(Self.lastCited(listed, in: 0..<lines.count) == Self.lastCited(listed, in: 0..<lines.count).sorted())

        // Each call alone, by recorded time: its events, and only the findings citing one of them.
        let later = try AuditReport(lineage: lineage, from: second, to: nil, engineVersion: "test", now: first)
        let document = try Self.xml(later, in: test.directory)
        #expect(try Self.texts(document, "/audit/events/event/seq") == (4..<lines.count).map(String.init))
        #expect(try Self.texts(document, "/audit/period/firstEvent") == ["4"])
        let citingSecondCall = try later.findings()
        #expect(citingSecondCall.map(\.summary).sorted() == check.findings.filter { $0.evidence.contains { $0 >= 4 } }.map(\.summary).sorted())
        #expect(Self.lastCited(citingSecondCall, in: 4..<lines.count) == Self.lastCited(citingSecondCall, in: 4..<lines.count).sorted())
        let earlier = try AuditReport(lineage: lineage, from: nil, to: second, engineVersion: "test", now: first)
        #expect(earlier.period.events == 4)
        let citingFirstCall = check.findings.filter { $0.evidence.contains { $0 < 4 } }
        #expect(try earlier.findings().map(\.summary).sorted() == citingFirstCall.map(\.summary).sorted())
        #expect(citingFirstCall.count < check.findings.count)

        // An empty period is a report too; a reversed one is bad input.
        let empty = try AuditReport(lineage: lineage, from: second.addingTimeInterval(60), to: nil, engineVersion: "test", now: first)
        #expect(try empty.period.events == 0 && empty.findings().isEmpty)
        _ = try Self.xml(empty, in: test.directory)
        #expect(throws: ReportError.self) { try AuditReport(lineage: lineage, from: second, to: first, engineVersion: "test", now: first) }
    }

    /// For each finding, the last event of `period` it cites: an audit trail lists its findings in that order.
    private static func lastCited(_ findings: [FindingEntry], in period: Range<Int>) -> [Int] {
        findings.map { $0.events.filter(period.contains).max() ?? -1 }
    }

    @Test func theBreachReportGivesPeopleCategoriesCopiesRecipientsAndThe72HourClock() throws {
        var test = try TestStore(seed: 22)
        try test.ingest(try Self.lines("policy-fixture.jsonl"), projectors: [LineageProjector()])
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn()).pinned()
        let aware = RFC3339.parseInstant("2026-03-06T14:30:00Z")!

        let customers = try Self.xml(try BreachReport(lineage: lineage, dataset: "crm.customers", awareAt: aware, engineVersion: "test", now: aware),
            in: test.directory)
        #expect(try Self.texts(customers, "/breach/notifyBy") == ["2026-03-09T14:30:00.000Z"])
        #expect(try Self.texts(customers, "/breach/subjects") == ["3"])
        #expect(try Self.texts(customers, "/breach/categories/category/key") == ["user.contact.email", "user.name"])
        #expect(try Self.texts(customers, "/breach/specialCategories") == ["false"])
        #expect(try Self.texts(customers, "/breach/downstreamCopies/downstreamCopy/name").contains("audience/2026-03-02"))
        #expect(try Self.texts(customers, "/breach/recipients/recipient/name").contains("AdCo Inc"))

        // The window is the pack's: a policy folder can set another (a pending EU proposal would give 96 hours).
        let folder = test.directory.file("breach-policies")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "breach:\n  notificationHours: 96\n".write(toFile: folder + "/breach.yaml", atomically: true, encoding: .utf8)
        let longer = try Lineage(store: test.store, pack: try PolicyPack.load(overlay: folder)).pinned()
        #expect(try BreachReport(lineage: longer, dataset: "crm.customers", awareAt: aware, engineVersion: "test", now: aware).notifyBy
            == "2026-03-10T14:30:00.000Z")
        try "breach:\n  notificationHours: 0\n".write(toFile: folder + "/breach.yaml", atomically: true, encoding: .utf8)
        #expect { try PolicyPack.load(overlay: folder) } throws: { error in
            "\(error)".contains("breach.yaml:2") && "\(error)".contains("positive number of hours")
        }

        // Health data: the Art. 9 flag that makes a high risk likely (Art. 34).
        let clinic = try BreachReport(lineage: lineage, dataset: "clinic.intake", awareAt: nil, engineVersion: "test", now: aware)
        #expect(clinic.specialCategories && !clinic.criminalData)
        #expect(clinic.notifyBy == nil)
        #expect(clinic.categories.map(\.specialCategory) == ["health"])
        #expect(throws: (any Error).self) { try BreachReport(lineage: lineage, dataset: "no.such.dataset", awareAt: nil, engineVersion: "test", now: aware) }
    }

    @Test func theTransfersReportListsEveryThirdCountryTransferWithItsBranch() throws {
        var test = try TestStore(seed: 23)
        try test.ingest(try Self.lines("policy-fixture.jsonl"), projectors: [LineageProjector()])
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn()).pinned()
        let report = try TransfersReport(lineage: lineage, engineVersion: "test", now: TestStore.recordedAt)
        let findings = try PolicyEngine(pack: lineage.pack).check(lineage, now: TestStore.recordedAt).findings.filter { $0.transfer != nil }
        let document = try Self.xml(report, in: test.directory)
        #expect(try Self.texts(document, "/transfers/transfers/transfer/summary") == findings.map(\.summary))
        #expect(try Self.texts(document, "/transfers/transfers/transfer/transfer/branch") == findings.map { $0.transfer!.branch.rawValue })
        #expect(try Self.texts(document, "/transfers/withoutBasis") == [String(findings.count { $0.transfer?.branch == TransferAssessment.Branch.none })])
        #expect(Set(report.transfers.compactMap(\.transfer?.destination)).isSuperset(of: ["US", "IN"]))
        #expect(report.withoutBasis > 0)
    }

    /// The HTML of the reports that list findings shows each one: its severity, rule and article, what is
    /// wrong, the Chapter V branch of a transfer, and the events that prove it; their JSON has each member.
    @Test func theHTMLAndJSONShowEveryFindingWithItsRuleSummaryBranchAndEvents() throws {
        var test = try TestStore(seed: 26)
        try test.ingest(try Self.lines("policy-fixture.jsonl"), projectors: [LineageProjector()])
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn()).pinned()
        let now = TestStore.recordedAt
        let findings = try PolicyEngine(pack: lineage.pack).check(lineage, now: now).findings
        #expect(findings.contains { $0.transfer != nil } && findings.contains { $0.transfer == nil })
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
        }
        let reports: [(any Report, [Finding])] = [
            (try AuditReport(lineage: lineage, from: nil, to: nil, engineVersion: "test", now: now), findings),
            (try TransfersReport(lineage: lineage, engineVersion: "test", now: now), findings.filter { $0.transfer != nil }),
        ]
        for (report, listed) in reports {
            let path = test.directory.file("\(type(of: report).kind).html")
            try ReportRenderer().write(report, format: .html, to: path)
            let html = try String(contentsOfFile: path, encoding: .utf8)
            for finding in listed {
                let row = "<td class=\"\(finding.severity.rawValue)\">\(finding.severity.rawValue)</td><td>\(escaped(finding.rule))<br>"
                    + "<span class=\"muted\">\(escaped(finding.article))</span></td>"
                #expect(html.contains(row), "\(type(of: report).kind): \(finding.rule)")
                #expect(html.contains("<bdi>\(escaped(finding.summary))</bdi>"), "\(type(of: report).kind): \(finding.summary)")
                #expect(html.contains(finding.evidence.map { "#\($0) " }.joined()), "\(type(of: report).kind): \(finding.evidence)")
                if let transfer = finding.transfer {
                    #expect(html.contains("to \(escaped(transfer.destination)): <span class=\"\(transfer.branch.rawValue)\">"),
                        "\(type(of: report).kind): \(finding.summary)")
                }
            }

            let jsonPath = test.directory.file("\(type(of: report).kind).json")
            try ReportRenderer().write(report, format: .json, to: jsonPath)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: jsonPath))) as? [String: Any])
            let entries = try #require(json[report is AuditReport ? "findings" : "transfers"] as? [[String: Any]])
            #expect(entries.count == listed.count)
            // The audit trail lists its findings in the order of their events, the transfers report in `check`'s: both
            // are compared here in one order of their own.
            func key(_ rule: String?, _ summary: String?, _ events: [Int]?) -> String { "\(rule ?? "")|\(summary ?? "")|\(events ?? [])" }
            let sortedEntries = entries.sorted { key($0["rule"] as? String, $0["summary"] as? String, $0["events"] as? [Int])
                < key($1["rule"] as? String, $1["summary"] as? String, $1["events"] as? [Int]) }
            let sortedListed = listed.sorted { key($0.rule, $0.summary, $0.evidence) < key($1.rule, $1.summary, $1.evidence) }
            for (entry, finding) in zip(sortedEntries, sortedListed) {
                #expect(entry["rule"] as? String == finding.rule && entry["article"] as? String == finding.article)
                #expect(entry["severity"] as? String == finding.severity.rawValue && entry["summary"] as? String == finding.summary)
                #expect(entry["dataset"] as? String == finding.concerns.dataset?.id && entry["job"] as? String == finding.concerns.job?.id)
                #expect(entry["run"] as? String == finding.concerns.runID && entry["recipient"] as? String == finding.concerns.recipient)
                #expect(entry["events"] as? [Int] == finding.evidence)
                let transfer = entry["transfer"] as? [String: Any]
                #expect(transfer?["destination"] as? String == finding.transfer?.destination)
                #expect(transfer?["branch"] as? String == finding.transfer?.branch.rawValue)
                #expect(transfer?["gaps"] as? [String] == finding.transfer?.gaps)
            }
        }
    }

    @Test func aDSARForAPersonWhoAskedToBeErasedNamesTheRequest() throws {
        var test = try TestStore(seed: 25)
        try test.ingest(try Self.lines("policy-fixture.jsonl"), projectors: [LineageProjector()])
        let pack = try PolicyPack.builtIn()
        let before = try test.store.head().size
        let asked = RFC3339.parseInstant("2026-11-29T10:00:00Z")!
        let erasure = try #require(try ErasureLifecycle(store: test.store, pack: pack, vaultKey: test.vaultKey)
            .request([SubjectIdentifier("carol@example.com")!], ground: nil, reason: nil, shred: true, now: asked, random: &test.random).status)
        func dsar(_ horizon: Horizon) throws -> XMLDocument {
            let lineage = try Lineage(store: test.store, pack: pack, horizon: horizon).pinned()
            return try Self.xml(try DSARReport(lineage: lineage, identifiers: ["carol@example.com"], vaultKey: test.vaultKey, received: nil,
                engineVersion: "test", now: asked), in: test.directory)
        }
        let now = try dsar(.now)
        #expect(try Self.texts(now, "/dsar/processingConfirmed") == ["false"])
        #expect(try Self.texts(now, "/dsar/request/erasure/request") == [erasure.request.id])
        #expect(try Self.texts(now, "/dsar/request/erasure/forgotten") == ["2026-11-29T10:00:00.000Z"])
        // Asked as known before the request was recorded, the report does not know of it.
        let earlier = try dsar(Horizon(asOf: nil, knownAt: nil, logSize: before))
        #expect(try Self.texts(earlier, "/dsar/request/erasure/request").isEmpty)
    }

    @Test func theRetentionReportIsThePlanAsOfItsTime() throws {
        var test = try TestStore(seed: 24)
        try test.ingest(try Self.lines("policy-fixture.jsonl"), projectors: [LineageProjector()])
        let policies = try PolicyFiles.fixtureRetention(in: test.directory)
        let pack = try PolicyPack.load(overlay: policies)
        let asOf = RFC3339.parseInstant("2026-04-10T00:00:00Z")!
        let lineage = try Lineage(store: test.store, pack: pack, horizon: Horizon(asOf: asOf)).pinned()
        let report = try RetentionReport(lineage: lineage, engineVersion: "test", now: asOf)
        let plan = try PolicyEngine(pack: pack).retentionPlan(lineage, now: asOf)
        let document = try Self.xml(report, in: test.directory)
        #expect(try Self.texts(document, "/retention/items/item/dataset") == plan.items.map(\.dataset.id))
        #expect(try Self.texts(document, "/retention/items/item/status") == plan.items.map(\.status.rawValue))
        #expect(report.overdue > 0 && report.held > 0)
        #expect(try Self.texts(document, "/retention/items/item[status='held']/hold/ground").allSatisfy { $0 == "public_health" })
        // The next day nothing is overdue yet: the same datasets are due within the warning window, or held.
        let early = try RetentionReport(lineage: try Lineage(store: test.store, pack: pack, horizon: Horizon(asOf: RFC3339.parseInstant("2026-03-03T00:00:00Z")!)).pinned(),
            engineVersion: "test", now: asOf)
        #expect(early.overdue == 0 && early.dueSoon > 0)
        #expect(Set(early.items.map(\.dataset)) == Set(report.items.map(\.dataset)))
    }
}
