@testable import CustodyCLI
import Testing

/// `custody check --format json` writes a whole store's findings in pieces of about a megabyte; what it
/// writes must be the document that writing it whole gives.
struct JSONOutputTests {
    @Test func anObjectWrittenInPiecesIsTheObjectWrittenWhole() throws {
        // Enough elements for several pieces, with text that needs escaping.
        let elements = (0..<20_000).map { index in
            JSONOutput.Value.object([("n", .number(index)), ("text", .string("line \(index)\n\"quoted\" é")), ("none", .null)])
        }
        let members: [(String, JSONOutput.Value)] = [("count", .number(elements.count)), ("flag", .bool(true))]
        var pieces: [String] = []
        JSONOutput.object(members, endingWith: "items", count: elements.count, element: { elements[$0] }, to: { pieces.append($0) })
        #expect(pieces.count > 1, "the test must cross a piece's end")
        #expect(pieces.joined() == JSONOutput.object(members + [("items", .array(elements))]))
        var empty: [String] = []
        JSONOutput.object(members, endingWith: "items", count: 0, element: { elements[$0] }, to: { empty.append($0) })
        #expect(empty.joined() == JSONOutput.object(members + [("items", .array([]))]))
    }
}
