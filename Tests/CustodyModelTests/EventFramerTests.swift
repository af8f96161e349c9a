import CustodyModel
import Testing

struct EventFramerTests {
    private func frames(_ text: String, chunkSize: Int = 7) throws -> [EventFrame] {
        let bytes = Array(text.utf8)
        var offset = 0
        var framer = EventFramer {
            guard offset < bytes.count else { return nil }
            defer { offset += chunkSize }
            return Array(bytes[offset..<min(bytes.count, offset + chunkSize)])
        }
        var result: [EventFrame] = []
        while let frame = try framer.next() { result.append(frame) }
        return result
    }

    @Test func splitsJSONLinesAcrossChunkBoundaries() throws {
        let result = try frames("{\"a\":1}\n{\"b\":\"}{\"}\n\n{\"c\":[{}]}\n")
        #expect(result.map(\.line) == [1, 2, 4])
        #expect(result.map { String(decoding: $0.bytes, as: UTF8.self) } == [#"{"a":1}"#, #"{"b":"}{"}"#, #"{"c":[{}]}"#])
        #expect(result.allSatisfy { $0.arrayIndex == nil })
    }

    @Test func givesArrayElementsTheirIndexAndLine() throws {
        let result = try frames("[\n  {\"a\": 1},\n  {\n    \"b\": 2\n  }\n]\n")
        #expect(result.map(\.arrayIndex) == [0, 1])
        #expect(result.map(\.line) == [2, 3])
    }

    @Test func acceptsOnePrettyPrintedObject() throws {
        #expect(try frames("{\n \"x\": \"a\\\"b\"\n}").count == 1)
    }

    @Test func emptyInputAndEmptyArrayHaveNoEvents() throws {
        #expect(try frames("").isEmpty)
        #expect(try frames(" [ ] \n").isEmpty)
    }

    @Test(arguments: [("{\"a\": 1", 1), ("{}\n[{}, 3]", 2), ("{}\n42", 2), ("[{} {}]", 1), ("[{},", 1)])
    func rejectsWhatIsNotASequenceOfObjects(text: String, line: Int) {
        #expect {
            _ = try frames(text)
        } throws: { error in
            (error as? EventFramingError)?.line == line
        }
    }
}
