/// RFC 8785 (JSON Canonicalization Scheme) serialisation: object members sorted by their UTF-16 code
/// units, no insignificant white space, minimal string escapes, and numbers written the way ECMAScript's
/// `Number.prototype.toString` writes the IEEE 754 double they denote.
///
/// Two events that mean the same JSON produce the same bytes, so their leaf hashes agree whoever
/// canonicalises them.
public enum CanonicalJSON {
    /// The canonical bytes of `value`. Throws for a number that is not a finite double (RFC 8785 §3.2.2.3).
    public static func encode(_ value: JSONValue) throws(CanonicalJSONError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        try write(value, to: &output)
        return output
    }

    public static func write(_ value: JSONValue, to output: inout [UInt8]) throws(CanonicalJSONError) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .number(let number):
            // A plain integer of up to 15 digits is exactly a double, and ECMAScript writes it as it is.
            if isShortInteger(number.literal) {
                output.append(contentsOf: number.literal.utf8)
                return
            }
            guard let double = number.doubleValue, double.isFinite else {
                throw CanonicalJSONError(literal: number.literal)
            }
            output.append(contentsOf: formatNumber(double).utf8)
        case .string(let string): writeString(string, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try write(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            let members = object.members
            // Sort positions, not members: moving small integers is cheaper than moving keys and values.
            let order = members.indices.sorted { utf16Less(members[$0].key, members[$1].key) }
            for (position, index) in order.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                writeString(members[index].key, to: &output)
                output.append(UInt8(ascii: ":"))
                try write(members[index].value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Writes a string with RFC 8785's escapes: `"` and `\`, and the C0 controls (short forms where JSON
    /// has them, `\u00xx` in lowercase hex otherwise). Everything else is written as UTF-8.
    public static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        let clean = string.withUTF8 { buffer in
            guard !needsEscapes(buffer) else { return false }
            output.append(contentsOf: buffer)
            return true
        }
        if clean {
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in string.utf8 {
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Whether UTF-8 text holds a byte `writeString` escapes: `"`, `\` or a C0 control.
    public static func needsEscapes(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return false }
        // Eight bytes at a time: the lineage projection writes every dataset's category keys and columns
        // through here, and a byte at a time was a twelfth of that writing.
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
        var index = 0
        while index + 8 <= utf8.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            // A byte below 0x20 sets its high bit in `word - 0x20…` and not in `word`; exact as a yes or no.
            if (word &- ones &* 0x20) & ~word & highs != 0 || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C)) {
                return true
            }
            index += 8
        }
        while index < utf8.count {
            let byte = base[index]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C { return true }
            index += 1
        }
        return false
    }

    static func utf16Less(_ lhs: String, _ rhs: String) -> Bool {
        // UTF-8 byte order is code point order, which is UTF-16 order unless a character above U+FFFF is
        // compared with one in U+E000-U+FFFF. Keys are almost always ASCII: compare bytes then.
        if let order = asciiOrder(lhs, rhs) { return order }
        var left = lhs.utf16.makeIterator()
        var right = rhs.utf16.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case (let a?, let b?): if a != b { return a < b }
            }
        }
    }

    private static func isShortInteger(_ literal: String) -> Bool {
        let utf8 = literal.utf8
        let digits = utf8.first == UInt8(ascii: "-") ? utf8.dropFirst() : utf8[...]
        return !digits.isEmpty && digits.count <= 15 && literal != "-0"
            && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func asciiOrder(_ lhs: String, _ rhs: String) -> Bool? {
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right -> Bool? in
                var index = 0
                while index < left.count && index < right.count {
                    let a = left[index]
                    let b = right[index]
                    if a >= 0x80 || b >= 0x80 { return nil }
                    if a != b { return a < b }
                    index += 1
                }
                return left.count < right.count
            }
        }
    }

    /// ECMAScript `Number::toString` for a finite double, built from Swift's shortest round-trip digits.
    public static func formatNumber(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value < 0 { return "-" + formatNumber(-value) }
        // Swift's description yields the shortest digits that round-trip, e.g. "123.0", "1e-07", "1.5e+22".
        let description = value.description
        var mantissa = Substring(description)
        var exponent = 0
        if let e = description.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = description[..<e]
            exponent = Int(description[description.index(after: e)...]) ?? 0
        }
        let pointIndex = mantissa.firstIndex(of: ".")
        let integerDigits = pointIndex.map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = Array(mantissa.filter { $0 != "." })
        var leadingZeros = 0
        while digits.first == "0" { digits.removeFirst(); leadingZeros += 1 }
        while digits.last == "0" { digits.removeLast() }
        let k = digits.count
        let n = integerDigits + exponent - leadingZeros
        let s = String(digits)
        if k <= n && n <= 21 {
            return s + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            return String(digits[0..<n]) + "." + String(digits[n...])
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + s
        }
        let e = n - 1
        let exponentText = (e < 0 ? "-" : "+") + String(abs(e))
        if k == 1 { return s + "e" + exponentText }
        return String(digits[0]) + "." + String(digits[1...]) + "e" + exponentText
    }
}

/// A number RFC 8785 cannot represent: its value is not a finite IEEE 754 double (for example `1e400`).
public struct CanonicalJSONError: Error, Sendable, Equatable {
    public let literal: String
}
