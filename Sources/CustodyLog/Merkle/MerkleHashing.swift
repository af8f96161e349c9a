import Crypto

/// The RFC 9162 §2.1.1 hashes, with SHA-256: domain-separated leaves and interior nodes.
public enum MerkleHashing {
    /// `SHA-256(0x00 ‖ data)`.
    public static func leafHash(bytes: some Collection<UInt8>) -> SHA256Hash {
        if let hash = bytes.withContiguousStorageIfAvailable({ leafHash(buffer: UnsafeRawBufferPointer($0)) }) {
            return hash
        }
        return Array(bytes).withUnsafeBytes { leafHash(buffer: $0) }
    }

    /// `SHA-256(0x00 ‖ data)` over bytes in memory, without copying them.
    public static func leafHash(buffer: UnsafeRawBufferPointer) -> SHA256Hash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: buffer)
        return finish(hasher)
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func nodeHash(_ left: SHA256Hash, _ right: SHA256Hash) -> SHA256Hash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x01)) { hasher.update(bufferPointer: $0) }
        left.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return finish(hasher)
    }

    /// The root of the empty tree, `SHA-256()`.
    public static let emptyRoot = finish(SHA256())

    /// The next link of the hash chain: `SHA-256(previous ‖ leafHash)`.
    public static func chainLink(previous: SHA256Hash, leafHash: SHA256Hash) -> SHA256Hash {
        var hasher = SHA256()
        previous.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        leafHash.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return finish(hasher)
    }

    private static func finish(_ hasher: SHA256) -> SHA256Hash {
        hasher.finalize().withUnsafeBytes { SHA256Hash(unsafeBuffer: $0) }
    }
}
