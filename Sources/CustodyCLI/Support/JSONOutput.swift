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
