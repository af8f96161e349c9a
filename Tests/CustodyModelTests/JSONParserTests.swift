import CustodyModel
import Testing

struct JSONParserTests {
    @Test func parsesNestedValuesKeepingMemberOrderAndNumberText() throws {
        let value = try JSONParser.parse(#"{"z": 1.50, "a": [true, null, "x"], "m": {"k": -2e3}}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.members.map(\.key) == ["z", "a", "m"])
        #expect(value["z"] == .number(JSONNumber(literal: "1.50")))
        #expect(value["a"] == .array([.bool(true), .null, .string("x")]))
        #expect(value["m"]?["k"] == .number(JSONNumber(literal: "-2e3")))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\né😀"))
    }

    @Test(arguments: [
        (#"{"a": 1, "a": 2}"#, "duplicate member name"),
        (#"{"a": 1,}"#, "expected a member name"),
        (#"[1, 2"#, "unexpected end of input"),
        (#"{"a": 01}"#, "leading zeros"),
        (#""\ud800""#, "unpaired surrogate"),
        (#""a\qb""#, "invalid escape"),
        ("\"tab\there\"", "unescaped control character"),
        (#"{"a": tru}"#, "invalid literal"),
        (#"{"a": 1} x"#, "unexpected text after"),
    ])
    func rejectsMalformedText(text: String, fragment: String) {
        #expect {
            _ = try JSONParser.parse(text)
        } throws: { error in
            (error as? JSONSyntaxError)?.message.contains(fragment) == true
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func reportsTheOffsetOfTheError() throws {
        do {
            _ = try JSONParser.parse("{\n  \"a\": [1,\n  2,,]\n}")
            Issue.record("parsed")
        } catch {
            #expect(error.offset == 17)
        }
    }

    /// The validator skips its walk for control characters when the parser saw none, so the parser must
    /// see every kind: escaped C0, DEL and C1, raw or escaped.
    @Test(arguments: [
        (#"{"a": "x\u0007y"}"#, true), (#"{"a": "\b"}"#, true), ("{\"a\": \"x\u{7F}\"}", true),
        ("{\"a\": \"x\u{85}\"}", true), (#"{"a": "\u0085"}"#, true), (#"{"k\u0001": 1}"#, true),
        (#"{"a": "tab\tnew\nline\r"}"#, false), (#"{"a": "café, 東京, 😀 \u00e9"}"#, false),
    ])
    func reportsControlCharactersWherever(text: String, expected: Bool) throws {
        #expect(try JSONParser.parseReportingControlCharacters(Array(text.utf8)).holdsControlCharacters == expected)
    }
}
