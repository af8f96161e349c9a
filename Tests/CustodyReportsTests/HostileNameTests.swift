import CustodyLineage
import CustodyModel
import CustodyPack
import CustodyPolicy
import CustodyReports
import CustodyTestSupport
import Foundation
import FoundationXML
import Testing

/// Names come from producers, so a report must carry any of them harmlessly: escaped in HTML and XML,
/// the XML still valid, right-to-left overrides isolated, very long names wrapped rather than lost.
struct HostileNameTests {
    static let script = "<script>alert('x')</script>"
    static let cdataEnd = "]]>&\"quoted\" 'single'"
    static let rightToLeft = "invoice\u{202E}fdp.exe"
    /// Ingest refuses C0 controls other than tab, LF and CR, so only those can reach a report.
    static let control = "tab\tand\nnew line"
    static let long = String(repeating: "very-long-name-", count: 400)

    static func store() throws -> TestStore {
        var test = try TestStore(seed: 3)
        let collected = DatasetEntry(Self.cdataEnd, namespace: "postgres://db:5432").subjects("mallory@example.com").categories("user.name").location("DE")
        let copy = DatasetEntry(Self.rightToLeft + Self.long, namespace: "s3://bucket").location("aws:us-east-1")
        try test.ingest([
            LineageEvents.run(Self.script, run: 1, at: LineageEvents.time(8), operation: "collect", purposes: ["essential.service"], legalBasis: "contract",
                processing: ["source": ["type": "third_party", "name": Self.control] as [String: any Sendable]], outputs: [collected]),
            LineageEvents.run("copy", run: 2, at: LineageEvents.time(9), operation: "transfer", purposes: ["essential.service"], legalBasis: "contract",
                processing: ["recipient": ["name": Self.script + Self.rightToLeft, "role": "processor", "country": "US"] as [String: any Sendable]],
                inputs: [DatasetEntry(Self.cdataEnd, namespace: "postgres://db:5432")], outputs: [copy]),
        ], projectors: [LineageProjector()])
        return test
    }

    @Test func hostileNamesComeOutEscapedInHTMLAndXML() throws {
        let test = try Self.store()
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn()).pinned()
        let report = try DSARReport(lineage: lineage, identifiers: ["mallory@example.com"], vaultKey: test.vaultKey, received: nil,
            engineVersion: "test", now: TestStore.recordedAt)
        #expect(report.recipients.map(\.name) == [Self.script + Self.rightToLeft])

        let htmlPath = test.directory.file("r.html"), xmlPath = test.directory.file("r.xml")
        try ReportRenderer().write(report, format: .html, to: htmlPath)
        try ReportRenderer().write(report, format: .xml, to: xmlPath)   // throws if the XML were not valid
        let html = try String(contentsOfFile: htmlPath, encoding: .utf8)
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(!html.contains("]]>&\""))
        #expect(html.contains("]]&gt;&amp;&quot;quoted&quot;"))
        // A right-to-left override stays inside its own isolated element.
        #expect(html.contains("<bdi>" + "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" + Self.rightToLeft + "</bdi>"))

        // The XML parses back to the very names.
        let xml = try reportDocument(try Data(contentsOf: URL(fileURLWithPath: xmlPath)))
        #expect(try xml.nodes(forXPath: "/dsar/recipients/recipient/name").compactMap(\.stringValue) == [Self.script + Self.rightToLeft])
        #expect(try xml.nodes(forXPath: "/dsar/copyLocations/copyLocation/dataset").compactMap(\.stringValue).contains(Self.rightToLeft + Self.long))
        #expect(try xml.nodes(forXPath: "/dsar/sources/source/name").compactMap(\.stringValue) == [Self.control])
        let raw = try String(contentsOfFile: xmlPath, encoding: .utf8)
        #expect(!raw.contains("<script"))
    }

    @Test func everyKindCarriesHostileNamesHarmlessly() throws {
        var test = try Self.store()
        let now = TestStore.recordedAt
        // An erasure request for mallory, with the reason given in the same hostile words.
        let erasure = try #require(try ErasureLifecycle(store: test.store, pack: try PolicyPack.builtIn(), vaultKey: test.vaultKey)
            .request([SubjectIdentifier("mallory@example.com")!], ground: nil, reason: Self.script + Self.cdataEnd, shred: false, now: now,
                random: &test.random).status)
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn()).pinned()
        let dataset = "dataset:postgres://db:5432:" + Self.cdataEnd
        let reports: [any Report] = [
            try RoPAReport(lineage: lineage, engineVersion: "test", now: now),
            try AuditReport(lineage: lineage, from: nil, to: nil, engineVersion: "test", now: now),
            try TransfersReport(lineage: lineage, engineVersion: "test", now: now),
            try RetentionReport(lineage: lineage, engineVersion: "test", now: now),
            try BreachReport(lineage: lineage, dataset: dataset, awareAt: now, engineVersion: "test", now: now),
            try ErasureReport(status: erasure, lineage: lineage, engineVersion: "test", now: now),
        ]
        for report in reports {
            let kind = type(of: report).kind
            for format in [ReportFormat.html, .xml] {
                let path = test.directory.file("\(kind).\(format.fileExtension)")
                try ReportRenderer().write(report, format: format, to: path)   // XML: validated on the way
                let text = try String(contentsOfFile: path, encoding: .utf8)
                #expect(!text.contains("<script"), "\(kind) \(format)")
                #expect(!text.contains(Self.cdataEnd), "\(kind) \(format) carries the name unescaped")
            }
        }
        // The audit trail judges a part of the log at a time, looking up by name the datasets its events name:
        // it finds what a check of the whole store finds, quotes, brackets and all.
        let checked = try PolicyEngine(pack: lineage.pack).check(lineage, now: now).findings
        #expect(!checked.isEmpty)
        let audited = try AuditReport(lineage: lineage, from: nil, to: nil, engineVersion: "test", now: now).findings()
        #expect(audited.map(\.summary).sorted() == checked.map(\.summary).sorted())
        let provPath = test.directory.file("lineage.provx")
        try ProvExport(lineage: lineage).write(to: provPath)
        #expect(!(try String(contentsOfFile: provPath, encoding: .utf8)).contains("<script"))
    }
}
