@testable import CustodyReports
import CustodyTestSupport
import Foundation
import Testing

/// How reports reach disk: all or nothing, validated, and made from the files in `reports/`.
struct ReportOutputTests {
    static let reports = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reports")

    @Test func theEmbeddedSchemasAndTemplatesAreTheFilesOfReports() throws {
        let fileManager = FileManager.default
        let templates = try fileManager.contentsOfDirectory(atPath: Self.reports.appendingPathComponent("html").path).filter { $0.hasSuffix(".mustache") }
        #expect(ReportResources.templates.keys.sorted() == templates.sorted(), "run scripts/embed-resources after editing reports/")
        for name in templates {
            let text = try String(contentsOf: Self.reports.appendingPathComponent("html/" + name), encoding: .utf8)
            #expect(ReportResources.templates[name].map { $0 + "\n" } == text, "run scripts/embed-resources after editing reports/html/\(name)")
        }
        let common = try String(contentsOf: Self.reports.appendingPathComponent("xsd/common.xsd"), encoding: .utf8)
        let body = common[common.range(of: "elementFormDefault=\"qualified\">")!.upperBound..<common.range(of: "</xs:schema>")!.lowerBound]
        let schemas = try fileManager.contentsOfDirectory(atPath: Self.reports.appendingPathComponent("xsd").path).filter { $0 != "common.xsd" }
        #expect(ReportResources.schemas.keys.sorted() == schemas.sorted())
        for name in schemas {
            let text = try String(contentsOf: Self.reports.appendingPathComponent("xsd/" + name), encoding: .utf8)
            let inlined = text.replacingOccurrences(of: "  <xs:include schemaLocation=\"common.xsd\"/>\n",
                with: body.trimmingCharacters(in: .newlines) + "\n")
            #expect(ReportResources.schemas[name].map { $0 + "\n" } == inlined, "run scripts/embed-resources after editing reports/xsd/\(name)")
        }
    }

    /// A document the schema does not allow, and one that is not well-formed XML at all: each refused with
    /// the line of the problem and what it is about.
    @Test(arguments: [
        ("  <unexpected/>\n</dsar>\n", "line 3", "unexpected"),
        ("  <request>\n</dsar>\n", "line 4", "request"),
    ])
    func aBadDocumentIsRefusedWithItsLine(body: String, line: String, subject: String) throws {
        let directory = TemporaryDirectory()
        let path = directory.file("bad.xml")
        try ("<?xml version=\"1.0\"?>\n<dsar xmlns=\"urn:custody:report:1\">\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try ReportRenderer.validator(for: "dsar").validate(fileAt: path)
        } throws: { error in
            let message = (error as? ReportError)?.message ?? ""
            return (error as? ReportError)?.code == .invalid && message.contains(line) && message.contains(subject)
        }
    }

    /// Validated while it is written, on the other core: a document the schema does not allow is refused with
    /// the line of its first problem, however much follows it (here a megabyte, many times libxml2's chunks).
    @Test func aDocumentValidatedAsItIsWrittenIsRefusedWithItsLine() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("bad.xml")
        #expect {
            try ReportRenderer.validator(for: "dsar").writeDocument(at: path) { xml in
                try xml.start("dsar")
                try xml.attribute("xmlns", XMLReportWriter.namespace)
                for index in 0..<40_000 { try xml.element("unexpected", "element \(index)") }
                try xml.end()
            }
        } throws: { error in
            let message = (error as? ReportError)?.message ?? ""
            return (error as? ReportError)?.code == .invalid && message.contains("line 3") && message.contains("unexpected")
        }
        // The whole document reached the file, in order, though it was written a few hundred kilobytes at a
        // time on another thread: the validator's early verdict did not stop the writer.
        let numbers = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .compactMap { line in line.firstRange(of: "element ").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) } }
        #expect(numbers == Array(0..<40_000))
    }

    /// A document whose writing fails: the writer's error is what the caller gets, at once (the validator,
    /// waiting for more of the file, is told there is no more), and nothing is left behind.
    @Test func aDocumentWhoseWritingFailsGivesTheWritersErrorAndLeavesNothing() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("report.xml")
        #expect {
            try ReportFile.write(to: path) { temporary in
                try ReportRenderer.validator(for: "dsar").writeDocument(at: temporary) { xml in
                    try xml.start("dsar")
                    for index in 0..<5_000 { try xml.element("request", "part \(index)") }
                    throw ReportError(.output, "the disk is full")
                }
            }
        } throws: { error in
            (error as? ReportError)?.message == "the disk is full"
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    /// The file's bytes are gathered and written a few hundred kilobytes at a time, the last of them when the
    /// document is finished: a system that refuses them then (here /dev/full, as a full disk would) must
    /// still fail the report with that reason, whether the document is short or long.
    @Test(arguments: [10, 40_000])
    func aDocumentTheSystemRefusesToStoreFailsAsAFullDisk(elements: Int) throws {
        #expect {
            try ReportRenderer.validator(for: "dsar").writeDocument(at: "/dev/full") { xml in
                try xml.start("dsar")
                try xml.attribute("xmlns", XMLReportWriter.namespace)
                for index in 0..<elements { try xml.element("request", "part \(index)") }
                try xml.end()
            }
        } throws: { error in
            (error as? ReportError)?.code == .output && (error as? ReportError)?.message.contains("is the disk full?") == true
        }
    }

    /// What XML 1.0 cannot carry becomes U+FFFD; everything else, tab and line ends included, stays as it is,
    /// whether or not its UTF-8 holds the 0xEF byte that U+FFFE and U+FFFF begin with.
    @Test func textXMLCannotCarryIsReplacedAndTheRestKept() {
        #expect(XMLText.clean("a\u{1}b\u{1F}c") == "a\u{FFFD}b\u{FFFD}c")
        #expect(XMLText.clean("x\u{FFFE}y\u{FFFF}z") == "x\u{FFFD}y\u{FFFD}z")
        #expect(XMLText.clean("€\u{1}") == "€\u{FFFD}")
        for kept in ["plain", "tab\tline\nreturn\r", "\u{FEFF}bom and \u{EFFF} and 한국어", "€ – “quoted”", ""] {
            #expect(XMLText.clean(kept) == kept)
        }
    }

    /// Element text is written as it is when nothing in it needs escaping and through libxml2's escaping
    /// otherwise: each character element content escapes must come out escaped, whatever else the text holds.
    @Test func elementTextIsEscapedExactlyWhereItMustBe() throws {
        let cases: [(String, String)] = [
            ("plain text, 'single' quotes", "plain text, 'single' quotes"),
            ("a<b", "a&lt;b"), ("a>b", "a&gt;b"), ("a&b", "a&amp;b"), ("say \"hi\"", "say &quot;hi&quot;"),
            ("line\r\nend", "line&#13;\nend"), ("]]> & <script>", "]]&gt; &amp; &lt;script&gt;"),
            ("€\u{1}<", "€\u{FFFD}&lt;"),
        ]
        for (text, written) in cases {
            let xml = try XMLValueEncoderTests.xml { try $0.write("note", encoding: text) }
            #expect(xml.contains("<note xmlns=\"\(XMLReportWriter.namespace)\">\(written)</note>"), "\(text.debugDescription): \(xml)")
        }
    }

    @Test func aReportThatFailsLeavesNothingBehindAndKeepsTheOldFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("report.xml")
        try "old report".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ReportError.self) {
            try ReportFile.write(to: path) { temporary in
                try "half a report".write(toFile: temporary, atomically: false, encoding: .utf8)
                throw ReportError(.invalid, "the report does not validate")
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old report")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["report.xml"])
    }

    @Test func listItemsAreNamedByTheListsSingular() {
        #expect(ReportNode.itemName(ofList: "recipients") == "recipient")
        #expect(ReportNode.itemName(ofList: "categories") == "category")
        #expect(ReportNode.itemName(ofList: "hashes") == "hash")
        #expect(ReportNode.itemName(ofList: "legalBases") == "legalBasis")
        #expect(ReportNode.itemName(ofList: "onwardFromCountries") == "onwardFromCountry")
    }
}
