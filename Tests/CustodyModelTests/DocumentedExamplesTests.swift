import CustodyModel
import Foundation
import Testing

/// The examples a user copies from docs/ingest.md must be accepted by the engine itself (the test
/// script also validates their facets against the published JSON Schemas).
struct DocumentedExamplesTests {
    static func jsonBlocks() throws -> [String] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/ingest.md")
        let text = try String(contentsOf: path, encoding: .utf8)
        return text.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    @Test func everyExampleEventInTheIngestGuideValidates() throws {
        var count = 0
        for block in try Self.jsonBlocks() {
            var framer = EventFramer(bytes: Array(block.utf8))
            while let frame = try framer.next() {
                _ = try EventValidator.validate(try JSONParser.parse(frame.bytes))
                count += 1
            }
        }
        #expect(count == 6)
    }
}
