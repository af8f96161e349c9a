import Foundation

/// A SHA-256 value: a leaf hash, an interior node, a tree root or a chain link.
public struct SHA256Hash: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Wraps 32 bytes; `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64) else { return nil }
        self.init(bytes: Array(data))
    }

    public var base64: String { Data(bytes).base64EncodedString() }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    /// 32 zero bytes: the chain's predecessor of the first event.
    public static let zero = SHA256Hash(unchecked: [UInt8](repeating: 0, count: 32))
}
