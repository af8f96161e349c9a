import CustodyModel

/// Writes the small JSON documents commands print with `--format json`, members in the given order.
enum JSONOutput {
    indirect enum Value {
        case string(String)
        case number(Int)
        case bool(Bool)
        case null
        case array([Value])
        case object([(String, Value)])
    }

    static func object(_ members: [(String, Value)]) -> String {
        var bytes: [UInt8] = []
        write(.object(members), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// An object whose last member is an array too long to hold as one text (a whole store's findings):
    /// `members` first, then `key` with `count` elements made one at a time, handed to `output` in pieces of
    /// about a megabyte.
    static func object(_ members: [(String, Value)], endingWith key: String, count: Int, element: (Int) -> Value,
                       to output: (String) -> Void) {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (name, value) in members {
            CanonicalJSON.writeString(name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            write(value, to: &bytes)
            bytes.append(UInt8(ascii: ","))
        }
        CanonicalJSON.writeString(key, to: &bytes)
        bytes += Array(":[".utf8)
        for index in 0..<count {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(element(index), to: &bytes)
            if bytes.count >= 1 << 20 {
                output(String(decoding: bytes, as: UTF8.self))
                bytes.removeAll(keepingCapacity: true)
            }
        }
        bytes += Array("]}".utf8)
        output(String(decoding: bytes, as: UTF8.self))
    }

    static func write(_ value: Value, to bytes: inout [UInt8]) {
        switch value {
        case .string(let text): CanonicalJSON.writeString(text, to: &bytes)
        case .number(let number): bytes += Array(String(number).utf8)
        case .bool(let flag): bytes += Array((flag ? "true" : "false").utf8)
        case .null: bytes += Array("null".utf8)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                CanonicalJSON.writeString(member.0, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                write(member.1, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}
