public import Foundation

/// A SHA-256 value: a leaf hash, an interior node, a tree root or a chain link.
///
/// Held inline (four words, no heap allocation): verification computes millions of them.
public struct SHA256Hash: Hashable, Sendable, CustomStringConvertible {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    private init() {}

    /// Wraps 32 bytes; `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        self.init()
        withUnsafeMutableBytes(of: &words) { destination in
            if bytes.withContiguousStorageIfAvailable({ destination.copyMemory(from: UnsafeRawBufferPointer($0)) }) == nil {
                for (index, byte) in bytes.enumerated() { destination[index] = byte }
            }
        }
    }

    /// Copies 32 bytes from a buffer known to hold exactly that many (a digest).
    init(unsafeBuffer buffer: UnsafeRawBufferPointer) {
        precondition(buffer.count == 32)
        self.init()
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: buffer) }
    }

    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64) else { return nil }
        self.init(bytes: data)
    }

    /// The 32 bytes. Allocates: prefer `withUnsafeBytes` on hot paths.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// The bytes as `Data`, for storing.
    public var data: Data { withUnsafeBytes { Data($0) } }

    /// Whether `other` holds exactly these 32 bytes.
    public func matches(_ other: some Collection<UInt8>) -> Bool {
        withUnsafeBytes { $0.elementsEqual(other) }
    }

    public var base64: String { data.base64EncodedString() }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        withUnsafeBytes { buffer in
            for byte in buffer {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    /// 32 zero bytes: the chain's predecessor of the first event.
    public static let zero = SHA256Hash()

    public static func == (lhs: SHA256Hash, rhs: SHA256Hash) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
