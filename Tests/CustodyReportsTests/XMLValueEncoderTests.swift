import CustodyLineage
import CustodyModel
import CustodyPack
import CustodyPolicy
@testable import CustodyReports
import CustodyTestSupport
import Foundation
import Testing

/// XML reports are written straight from their models (`XMLValueEncoder`), where they were first made into a
/// `ReportNode` tree and the tree walked. The two must give the same bytes: the schemas, the tests that read
/// reports and every earlier report assume the tree's layout.
struct XMLValueEncoderTests {
    /// The XML `write` makes through a report writer on a fresh stream.
    static func xml(_ write: (XMLReportWriter) throws -> Void) throws -> String {
        let directory = TemporaryDirectory()
        let path = directory.file("report.xml")
        let file = try GrowingFile(path: path)
        let writer = XMLReportWriter(stream: try XMLStream(file: file))
        try write(writer)
        try writer.finish()
        file.close()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    static func expectSameBytes(_ value: some Encodable, as name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let tree = try xml { try $0.write(name, try ReportNode(encoding: value)) }
        let streamed = try xml { try $0.write(name, encoding: value) }
        #expect(streamed == tree, "\(name)", sourceLocation: sourceLocation)
        #expect(tree.count > 100, "\(name) is too small to tell anything", sourceLocation: sourceLocation)
    }

    @Test func everyKindIsWrittenAsItsTreeWouldBe() throws {
        var test = try HostileNameTests.store()
        let now = TestStore.recordedAt
        let erasure = try #require(try ErasureLifecycle(store: test.store, pack: try PolicyPack.builtIn(), vaultKey: test.vaultKey)
            .request([SubjectIdentifier("mallory@example.com")!], ground: nil, reason: HostileNameTests.script, shred: false, now: now,
                random: &test.random).status)
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn()).pinned()
        let demo = try DSARReportTests.demoStore()
        let reports: [any Report] = [
            try RoPAReport(lineage: lineage, engineVersion: "test", now: now),
            try AuditReport(lineage: lineage, from: nil, to: nil, engineVersion: "test", now: now),
            try TransfersReport(lineage: lineage, engineVersion: "test", now: now),
            try RetentionReport(lineage: lineage, engineVersion: "test", now: now),
            try BreachReport(lineage: lineage, dataset: "dataset:postgres://db:5432:" + HostileNameTests.cdataEnd, awareAt: now,
                engineVersion: "test", now: now),
            try ErasureReport(status: erasure, lineage: lineage, engineVersion: "test", now: now),
            try DSARReportTests.dsar(demo),
            // The demo's log has what the hostile one lacks: a DatasetEvent, events without a run.
            try AuditReport(lineage: try Lineage(store: demo.store, pack: try PolicyPack.builtIn()).pinned(),
                from: nil, to: nil, engineVersion: "test", now: now),
        ]
        for report in reports { try Self.expectSameBytes(report, as: type(of: report).kind) }
    }

    /// What report models may hold: lists of lists, empty lists and objects, absent and present optionals,
    /// numbers and flags, text that needs escaping; and a hand-written encoding that fills a nested container
    /// before going on.
    @Test func nestingEmptinessAndScalarsAreWrittenAsTheTreeWritesThem() throws {
        struct Inner: Encodable {
            let name: String
            let note: String?
            let flags: [Bool]
        }
        struct Outer: Encodable {
            let count: Int
            let matrices: [[Int]]
            let empty: [String]
            let nothing: Inner?
            let inner: Inner
            let inners: [Inner]
            let blank: Blank
            struct Blank: Encodable {}
        }
        struct HandWritten: Encodable {
            enum Keys: String, CodingKey { case first, nestedCategories, last }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode("a < b & c", forKey: .first)
                var nested = container.nestedUnkeyedContainer(forKey: .nestedCategories)
                try nested.encode("x")
                try nested.encode("y")
                try container.encode(3, forKey: .last)
            }
        }
        let inner = Inner(name: "]]> \"q\" 'a'", note: nil, flags: [true, false])
        try Self.expectSameBytes(Outer(count: 7, matrices: [[1, 2], [], [3]], empty: [], nothing: nil, inner: inner,
            inners: [inner, Inner(name: "second", note: "a note", flags: [])], blank: .init()), as: "outer")
        try Self.expectSameBytes([HandWritten(), HandWritten(), HandWritten(), HandWritten()], as: "handWrittens")
    }
}
