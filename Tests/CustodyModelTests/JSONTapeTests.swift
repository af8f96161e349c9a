import CustodyModel
import CustodyTestSupport
import Testing

/// A replay reads stored events through `JSONTape` where ingest read them through `JSONParser`: both must
/// accept the same texts and read the same values out of them.
struct JSONTapeTests {
    @Test(arguments: 0..<8)
    func readsWhatTheParserReadsOutOfRandomDocuments(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<60 {
            let value = Self.randomValue(depth: 0, &random)
            let canonical = try CanonicalJSON.encode(value)
            let spaced = Self.spaced(value)
            for text in [canonical, spaced] {
                let parsed = try JSONParser.parse(text)
                try Self.expectSameReading(JSONTape(text).root, parsed, canonical: text == canonical)
            }
        }
    }

    /// Every way a text can fail to be JSON fails both: cut short anywhere, a byte changed anywhere.
    @Test(arguments: 0..<4)
    func refusesWhatTheParserRefuses(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<12 {
            let text = try CanonicalJSON.encode(Self.randomValue(depth: 0, &random))
            var damaged: [[UInt8]] = (0..<text.count).map { Array(text[..<$0]) }
            for _ in 0..<40 {
                var changed = text
                changed[Int.random(in: 0..<text.count, using: &random)] = Self.specialBytes.randomElement(using: &random)!
                damaged.append(changed)
            }
            for candidate in damaged {
                let parses = (try? JSONParser.parse(candidate)) != nil
                let tapes = (try? JSONTape(candidate)) != nil
                #expect(parses == tapes, "\(String(decoding: candidate, as: UTF8.self))")
            }
        }
    }

    @Test func refusesMemberNamesGivenTwiceAndNestingTooDeep() {
        #expect(throws: JSONSyntaxError.self) { try JSONTape(Array(#"{"a":1,"b":{"c":2},"a":3}"#.utf8)) }
        // A name given twice is found wherever the two stand, in order or not.
        #expect(throws: JSONSyntaxError.self) { try JSONTape(Array(#"{"a":1,"b":2,"c":3,"b":4}"#.utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONTape(Array(#"{"a":1,"c":2,"b":3,"d":4,"b":5}"#.utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONTape(Array(#"{"b":1,"a":2,"b":3}"#.utf8)) }
        #expect((try? JSONTape(Array(#"{"a":1,"c":2,"b":3,"d":4,"e":5}"#.utf8))) != nil)
        #expect(throws: JSONSyntaxError.self) { try JSONTape(Array(#"{"a":"\u00"}"#.utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONTape(Array(#"["\ud800"]"#.utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONTape(Array(repeating: UInt8(ascii: "["), count: 600) + Array(repeating: UInt8(ascii: "]"), count: 600)) }
        #expect((try? JSONTape(Array(repeating: UInt8(ascii: "["), count: 500) + Array(repeating: UInt8(ascii: "]"), count: 500))) != nil)
    }

    @Test func readsEscapedMemberNamesAndNumbers() throws {
        let tape = try JSONTape(Array(#"{"caf\u00e9":"cr\u00e8me","n":-12.5e3,"t":true,"z":null}"#.utf8))
        #expect(tape.root["café"]?.stringValue == "crème")
        #expect(tape.root["n"]?.numberLiteral == "-12.5e3" && tape.root["n"]?.stringValue == nil)
        #expect(tape.root["t"]?.boolValue == true && tape.root["z"]?.boolValue == nil && tape.root["missing"] == nil)
        #expect(tape.root.members?.map(\.key) == ["café", "n", "t", "z"])
    }

    private static let specialBytes: [UInt8] = Array(#"{}[]",:\"#.utf8) + [0x00, 0x1F, 0x20, 0x7F, 0xC3, 0xFF, UInt8(ascii: "u"), UInt8(ascii: "0"),
                                                                      UInt8(ascii: "-"), UInt8(ascii: "e"), UInt8(ascii: "n"), UInt8(ascii: "t")]

    private static func expectSameReading(_ tape: JSONTape.Value, _ value: JSONValue, canonical: Bool) throws {
        #expect(tape.stringValue == value.stringValue)
        #expect(tape.boolValue == value.boolValue)
        if case .number(let number) = value { #expect(tape.numberLiteral == number.literal) } else { #expect(tape.numberLiteral == nil) }
        if canonical { #expect(tape.canonicalText == value.canonicalText) }
        #expect((tape.elements == nil) == (value.elements == nil))
        for (element, expected) in zip(tape.elements ?? [], value.elements ?? []) { try expectSameReading(element, expected, canonical: canonical) }
        #expect(tape.elements?.count == value.elements?.count)
        #expect(tape.members?.map(\.key) == value.members?.map(\.key))
        for (key, expected) in value.members ?? [] {
            let member = try #require(tape[key])
            try expectSameReading(member, expected, canonical: canonical)
        }
        #expect(tape["no such member"] == nil)
    }

    private static let texts = ["", "a", "user.contact.email", "line\nbreak\ttab", "quote \" and \\ backslash", "\u{1}\u{1F}\u{7F}",
                                "café 🙂", "\u{85} next line", "long enough to leave a small string behind, and then some"]

    private static func randomValue(depth: Int, _ random: inout SeededGenerator) -> JSONValue {
        let choice = Int.random(in: 0..<(depth < 4 ? 9 : 6), using: &random)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .number(JSONNumber(literal: ["0", "-1", "42", "3.25", "1e+30", "-0.002"].randomElement(using: &random)!))
        case 3, 4, 5: return .string(texts.randomElement(using: &random)!)
        case 6: return .array((0..<Int.random(in: 0..<4, using: &random)).map { _ in randomValue(depth: depth + 1, &random) })
        default:
            var members: [(key: String, value: JSONValue)] = []
            for key in texts.shuffled(using: &random).prefix(Int.random(in: 0..<5, using: &random)) {
                members.append((key, randomValue(depth: depth + 1, &random)))
            }
            return .object(JSONObject(members))
        }
    }

    /// The value written with white space everywhere JSON allows it, and members in their own order.
    private static func spaced(_ value: JSONValue) -> [UInt8] {
        switch value {
        case .array(let elements):
            return Array(" [ ".utf8) + elements.map(spaced).joined(separator: Array(" , ".utf8)) + Array(" ] ".utf8)
        case .object(let object):
            let members = object.members.map { member -> [UInt8] in
                var name: [UInt8] = []
                CanonicalJSON.writeString(member.key, to: &name)
                return Array("\n".utf8) + name + Array(" :\t".utf8) + spaced(member.value)
            }
            return Array(" {".utf8) + members.joined(separator: Array(",\r\n".utf8)) + Array(" } ".utf8)
        default:
            return Array(" ".utf8) + ((try? CanonicalJSON.encode(value)) ?? []) + Array(" ".utf8)
        }
    }
}
