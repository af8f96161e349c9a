import CustodyModel
import Foundation
import Testing

/// RFC 8785 behaviour that leaf hashes depend on: another implementation must produce the same bytes.
struct CanonicalJSONTests {
    private func canonical(_ text: String) throws -> String {
        String(decoding: try CanonicalJSON.encode(try JSONParser.parse(text)), as: UTF8.self)
    }

    @Test func rfc8785SampleCanonicalisesToThePublishedBytes() throws {
        // RFC 8785 §3.2.2 sample input and output.
        let input = #"{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}"#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    @Test func membersAreSortedByUTF16CodeUnits() throws {
        // RFC 8785 §3.2.3: the surrogate pair of U+1F600 sorts before U+FB33, unlike by scalar value.
        let input = #"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#
        let keys = ["\r", "1", "\u{80}", "ö", "€", "😀", "\u{FB33}"]
        let output = try canonical(input)
        let positions = keys.map { key in output.range(of: "\"\(key == "\r" ? "\\r" : key)\"")!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
        (123456789012345680000.0, "123456789012345680000"), (1e-7, "1e-7"), (1e-6, "0.000001"), (0.1, "0.1"),
        (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (9007199254740993, "9007199254740992"),
        (295147905179352830000.0, "295147905179352830000"), (4.5, "4.5"), (0.002, "0.002"), (1.5e-9, "1.5e-9"),
    ])
    func numbersAreWrittenAsECMAScriptDoes(value: Double, expected: String) {
        #expect(CanonicalJSON.formatNumber(value) == expected)
    }

    @Test func aNumberBeyondDoubleRangeCannotBeCanonicalised() throws {
        #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.encode(try JSONParser.parse("[1e400]")) }
    }

    @Test func canonicalisationIsIdempotent() throws {
        let once = try canonical(#"{"b": [1.0, "x\ty", {"z": null, "a": false}], "a": -0.0}"#)
        #expect(try canonical(once) == once)
        #expect(once == #"{"a":0,"b":[1,"x\ty",{"a":false,"z":null}]}"#)
    }

    @Test func everyByteThatNeedsAnEscapeIsFoundWhereverItStands() {
        // Each byte value at every place of a text, among plain ASCII, among bytes of multi-byte UTF-8, and
        // among DEL (a control that RFC 8785 leaves as it is).
        for filler in [UInt8(ascii: "a"), 0xC3, 0x7F] {
            for byte in UInt8.min...UInt8.max {
                let expected = byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
                for position in 0..<19 {
                    var text = [UInt8](repeating: filler, count: 19)
                    text[position] = byte
                    let found = text.withUnsafeBufferPointer { CanonicalJSON.needsEscapes($0) }
                    #expect(found == expected, "byte 0x\(String(byte, radix: 16)) at \(position) among 0x\(String(filler, radix: 16))")
                }
            }
        }
        #expect(![UInt8]().withUnsafeBufferPointer { CanonicalJSON.needsEscapes($0) })
    }
}
