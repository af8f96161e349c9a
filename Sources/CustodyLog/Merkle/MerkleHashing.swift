import Crypto

/// The RFC 9162 §2.1.1 hashes, with SHA-256: domain-separated leaves and interior nodes.
public enum MerkleHashing {
    /// `SHA-256(0x00 ‖ data)`.
    public static func leafHash(_ data: some Sequence<UInt8>) -> SHA256Hash {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: Array(data))
        return SHA256Hash(unchecked: Array(hasher.finalize()))
    }

    /// `SHA-256(0x00 ‖ data)` over contiguous bytes, without a copy.
    public static func leafHash(bytes: [UInt8]) -> SHA256Hash {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: bytes)
        return SHA256Hash(unchecked: Array(hasher.finalize()))
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func nodeHash(_ left: SHA256Hash, _ right: SHA256Hash) -> SHA256Hash {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left.bytes)
        hasher.update(data: right.bytes)
        return SHA256Hash(unchecked: Array(hasher.finalize()))
    }

    /// The root of the empty tree, `SHA-256()`.
    public static let emptyRoot = SHA256Hash(unchecked: Array(SHA256.hash(data: [UInt8]())))

    /// The next link of the hash chain: `SHA-256(previous ‖ leafHash)`.
    public static func chainLink(previous: SHA256Hash, leafHash: SHA256Hash) -> SHA256Hash {
        var hasher = SHA256()
        hasher.update(data: previous.bytes)
        hasher.update(data: leafHash.bytes)
        return SHA256Hash(unchecked: Array(hasher.finalize()))
    }
}
