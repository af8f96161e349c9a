import Foundation

/// A JSON text read into one flat list of where each of its values stands, without building a tree: a
/// value's text becomes a `String` only when it is asked for. For taking a few members out of each of many
/// documents, as a replay of the log does with every stored event: parsing each into a `JSONValue` made a
/// string of every name and value, and letting go of them, about as much work as the rest of a rebuild.
///
/// Meant for the log's leaves, which Custody writes as RFC 8785 canonical JSON, so that `canonicalText` can be
/// a value's own text. The text is checked as `JSONParser` checks it (structure, numbers, escapes, control
/// characters, UTF-8, member names given twice), except that two spellings of one member name with different
/// escapes are not taken for the same name, which canonical JSON, escaping only what it must, never writes.
public final class JSONTape: @unchecked Sendable {
    // Immutable once made; both buffers are the tape's own, let go of in `deinit`.
    /// A copy of the text, so values can read it without going through an array each time.
    private let text: UnsafeMutableBufferPointer<UInt8>
    /// The values in the order their text starts: an object's members as name then value.
    private let nodes: UnsafeMutablePointer<Node>

    fileprivate struct Node {
        enum Kind: UInt8 {
            case null, `true`, `false`, number, string, escapedString, array, object
        }

        let kind: Kind
        /// Where the value's text starts (a string's at its opening quote) and ends (after its closing quote or
        /// bracket).
        let start: Int32
        var end: Int32
        /// The node after the value and everything inside it.
        var next: Int32
    }

    fileprivate static let maximumDepth = 512

    /// Reads `bytes`, which must hold exactly one JSON value with only white space around it.
    public init(_ bytes: [UInt8]) throws(JSONSyntaxError) {
        guard bytes.count < Int32.max else { throw JSONSyntaxError(offset: 0, message: "a document of 2 GiB or more") }
        text = .allocate(capacity: max(bytes.count, 1))
        _ = text.initialize(from: bytes)
        var scanner = Scanner(text: UnsafeBufferPointer(rebasing: text[0..<bytes.count]))
        do throws(JSONSyntaxError) {
            scanner.skipWhitespace()
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            guard scanner.position == bytes.count else { throw scanner.error("unexpected text after the JSON value") }
        } catch {
            scanner.nodes.deallocate()
            text.deallocate()
            throw error
        }
        nodes = scanner.nodes
    }

    deinit {
        nodes.deallocate()
        text.deallocate()
    }

    /// The document's value.
    public var root: Value { Value(tape: self, index: 0) }

    /// One value of the document.
    public struct Value: JSONReading {
        let tape: JSONTape
        let index: Int

        private var node: Node { tape.nodes[index] }

        public subscript(key: String) -> Value? {
            // Through the tape's own pointers, and comparing lengths first: every member an event is asked for is
            // looked up so.
            let nodes = tape.nodes, text = tape.text.baseAddress!
            let object = nodes[index]
            guard object.kind == .object else { return nil }
            let length = key.utf8.count
            var name = index + 1
            while name < Int(object.next) {
                let node = nodes[name]
                if node.kind == .string {
                    if Int(node.end - node.start) - 2 == length, Self.spells(key, at: text + Int(node.start) + 1) {
                        return Value(tape: tape, index: name + 1)
                    }
                } else if Value(tape: tape, index: name).stringValue == key {
                    return Value(tape: tape, index: name + 1)
                }
                name = Int(nodes[name + 1].next)
            }
            return nil
        }

        /// Whether the bytes at `text` are `key`'s UTF-8 (as many as it has).
        private static func spells(_ key: String, at text: UnsafePointer<UInt8>) -> Bool {
            key.utf8.withContiguousStorageIfAvailable { utf8 in
                utf8.isEmpty || memcmp(utf8.baseAddress!, text, utf8.count) == 0
            } ?? key.utf8.elementsEqual(UnsafeBufferPointer(start: text, count: key.utf8.count))
        }

        public var stringValue: String? {
            let node = node
            switch node.kind {
            case .string:
                return String(decoding: tape.bytes(Int(node.start) + 1..<Int(node.end) - 1), as: UTF8.self)
            case .escapedString:
                // Rare in events: the parser decodes the escapes.
                return (try? JSONParser.parse(tape.bytes(Int(node.start)..<Int(node.end))))?.stringValue
            default:
                return nil
            }
        }

        /// Whether the value is a string, without reading it.
        public var isString: Bool { node.kind == .string || node.kind == .escapedString }

        public var boolValue: Bool? {
            switch node.kind {
            case .true: true
            case .false: false
            default: nil
            }
        }

        /// A number's text as written; `nil` for any other value.
        public var numberLiteral: String? {
            let node = node
            guard node.kind == .number else { return nil }
            return String(decoding: tape.bytes(Int(node.start)..<Int(node.end)), as: UTF8.self)
        }

        public var elements: [Value]? {
            let array = node
            guard array.kind == .array else { return nil }
            var elements: [Value] = []
            var element = index + 1
            while element < Int(array.next) {
                elements.append(Value(tape: tape, index: element))
                element = Int(tape.nodes[element].next)
            }
            return elements
        }

        public var members: [(key: String, value: Value)]? {
            let object = node
            guard object.kind == .object else { return nil }
            var members: [(key: String, value: Value)] = []
            var name = index + 1
            while name < Int(object.next) {
                members.append((Value(tape: tape, index: name).stringValue ?? "", Value(tape: tape, index: name + 1)))
                name = Int(tape.nodes[name + 1].next)
            }
            return members
        }

        /// The value's own text, which is RFC 8785 canonical JSON where the document is.
        public var canonicalText: String? {
            let node = node
            return String(decoding: tape.bytes(Int(node.start)..<Int(node.end)), as: UTF8.self)
        }
    }

    /// The text of `range`.
    private func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text.baseAddress! + range.lowerBound, count: range.count)
    }

    /// Reads the text into nodes, checking it as it goes.
    private struct Scanner {
        let text: UnsafeBufferPointer<UInt8>
        var position = 0
        var nodes: UnsafeMutablePointer<Node>
        var nodeCount = 0
        var capacity: Int

        init(text: UnsafeBufferPointer<UInt8>) {
            self.text = text
            // Events hold a value in every eight to twelve bytes: enough for most, grown when short.
            capacity = max(16, text.count / 8)
            nodes = .allocate(capacity: capacity)
        }

        func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
            JSONSyntaxError(offset: offset ?? position, message: message)
        }

        /// Appends a node; returns its index.
        @discardableResult @inline(__always)
        private mutating func append(_ kind: Node.Kind, start: Int, end: Int) -> Int {
            if nodeCount == capacity {
                let grown = UnsafeMutablePointer<Node>.allocate(capacity: capacity * 2)
                grown.moveInitialize(from: nodes, count: nodeCount)
                nodes.deallocate()
                nodes = grown
                capacity *= 2
            }
            (nodes + nodeCount).initialize(to: Node(kind: kind, start: Int32(start), end: Int32(end), next: Int32(nodeCount + 1)))
            nodeCount += 1
            return nodeCount - 1
        }

        @inline(__always)
        mutating func skipWhitespace() {
            while position < text.count {
                switch text[position] {
                case 0x20, 0x0A, 0x0D, 0x09: position += 1
                default: return
                }
            }
        }

        /// The byte at the position, or 0 (which no JSON token starts with) at the end.
        @inline(__always)
        private func current() -> UInt8 {
            position < text.count ? text[position] : 0
        }

        mutating func value(depth: Int) throws(JSONSyntaxError) {
            switch current() {
            case UInt8(ascii: "{"): try container(depth: depth, object: true)
            case UInt8(ascii: "["): try container(depth: depth, object: false)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true", .true)
            case UInt8(ascii: "f"): try literal("false", .false)
            case UInt8(ascii: "n"): try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default:
                guard position < text.count else { throw error("unexpected end of input, expected a value") }
                throw error("unexpected byte 0x\(String(text[position], radix: 16)), expected a value")
            }
        }

        private mutating func container(depth: Int, object: Bool) throws(JSONSyntaxError) {
            guard depth < JSONTape.maximumDepth else { throw error("nesting deeper than \(JSONTape.maximumDepth) levels") }
            let index = append(object ? .object : .array, start: position, end: 0)
            let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
            position += 1
            skipWhitespace()
            if current() == close {
                position += 1
            } else {
                while true {
                    skipWhitespace()
                    if object {
                        guard current() == UInt8(ascii: "\"") else {
                            throw error(position < text.count ? "expected a member name in double quotes" : "unexpected end of input in an object")
                        }
                        let name = nodeCount
                        try string()
                        if isGivenEarlier(name, inObjectAt: index) { throw error("duplicate member name", at: Int(nodes[name].start)) }
                        skipWhitespace()
                        guard current() == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
                        position += 1
                        skipWhitespace()
                    }
                    try value(depth: depth + 1)
                    skipWhitespace()
                    let byte = current()
                    if byte == UInt8(ascii: ",") {
                        position += 1
                    } else if byte == close {
                        position += 1
                        break
                    } else if position == text.count {
                        throw error(object ? "unexpected end of input in an object" : "unexpected end of input in an array")
                    } else {
                        throw error(object ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
                    }
                }
            }
            nodes[index].end = Int32(position)
            nodes[index].next = Int32(nodeCount)
        }

        /// Whether the member name at node `name` is written the same as one before it in the object at `object`.
        private func isGivenEarlier(_ name: Int, inObjectAt object: Int) -> Bool {
            let given = nodes[name], length = Int(given.end - given.start)
            var earlier = object + 1
            while earlier < name {
                let node = nodes[earlier]
                if Int(node.end - node.start) == length,
                   memcmp(text.baseAddress! + Int(node.start), text.baseAddress! + Int(given.start), length) == 0 { return true }
                earlier = Int(nodes[earlier + 1].next)
            }
            return false
        }

        @inline(__always)
        private mutating func string() throws(JSONSyntaxError) {
            let start = position
            position += 1
            var escaped = false, ascii = true
            while true {
                // Eight bytes at a time to the next quote, backslash, control or byte beyond ASCII: most of a
                // string's bytes are none of these.
                while position + 8 <= text.count {
                    let word = UInt64(littleEndian: UnsafeRawPointer(text.baseAddress! + position).loadUnaligned(as: UInt64.self))
                    let special = Self.specialBytes(word)
                    if special == 0 {
                        position += 8
                    } else {
                        position += special.trailingZeroBitCount / 8
                        break
                    }
                }
                guard position < text.count else { throw error("unterminated string", at: start) }
                let byte = text[position]
                position += 1
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    position += 1
                } else if byte < 0x20 {
                    throw error("unescaped control character in a string", at: position - 1)
                } else if byte >= 0x80 {
                    ascii = false
                }
            }
            let quoted = UnsafeBufferPointer(rebasing: text[start..<position])
            if escaped {
                // The parser checks escapes, surrogate pairs and UTF-8 as it decodes them.
                do { _ = try JSONParser.parse(quoted) } catch { throw self.error(error.message, at: start + error.offset) }
            } else if !ascii, String(validating: UnsafeBufferPointer(rebasing: quoted.dropFirst().dropLast()), as: UTF8.self) == nil {
                throw error("invalid UTF-8 in a string", at: start)
            }
            append(escaped ? .escapedString : .string, start: start, end: position)
        }

        /// The high bit of each byte of `word` (first byte lowest) that is `"`, `\\`, below 0x20 or above 0x7F,
        /// exact up to the first such byte, which is all a scan needs: above it, a byte may be marked that is not.
        private static func specialBytes(_ word: UInt64) -> UInt64 {
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }
            let controls = (word &- ones &* 0x20) & ~word & highs
            return (word & highs) | controls | zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C))
        }

        private mutating func literal(_ literal: StaticString, _ kind: Node.Kind) throws(JSONSyntaxError) {
            let count = literal.utf8CodeUnitCount
            guard position + count <= text.count, memcmp(text.baseAddress! + position, literal.utf8Start, count) == 0 else {
                throw error("invalid literal, expected '\(literal)'")
            }
            append(kind, start: position, end: position + count)
            position += count
        }

        private func isDigit() -> Bool {
            let byte = current()
            return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }

        private mutating func number() throws(JSONSyntaxError) {
            let start = position
            if current() == UInt8(ascii: "-") { position += 1 }
            guard isDigit() else { throw error("invalid number") }
            if current() == UInt8(ascii: "0") {
                position += 1
                if isDigit() { throw error("leading zeros are not allowed in a number") }
            } else {
                while isDigit() { position += 1 }
            }
            if current() == UInt8(ascii: ".") {
                position += 1
                guard isDigit() else { throw error("expected a digit after the decimal point") }
                while isDigit() { position += 1 }
            }
            if current() == UInt8(ascii: "e") || current() == UInt8(ascii: "E") {
                position += 1
                if current() == UInt8(ascii: "+") || current() == UInt8(ascii: "-") { position += 1 }
                guard isDigit() else { throw error("expected a digit in the exponent") }
                while isDigit() { position += 1 }
            }
            append(.number, start: start, end: position)
        }
    }
}
