/// Where proofs read perfect-subtree roots from: the store's node table, or a tree in memory.
public protocol MerkleNodeReader {
    /// The root of the perfect subtree `(level, index)`; level 0 is the leaf hash.
    func node(level: Int, index: Int) throws -> SHA256Hash
}

/// A Merkle tree held in memory, for auditors' tools and tests.
public struct InMemoryMerkleTree: MerkleNodeReader, Sendable {
    private var range = CompactRange()
    private var levels: [[SHA256Hash]] = [[]]

    public init() {}

    public init(leafHashes: [SHA256Hash]) {
        for hash in leafHashes { append(hash) }
    }

    public var size: Int { range.size }
    public var root: SHA256Hash { range.root }

    public mutating func append(_ leafHash: SHA256Hash) {
        levels[0].append(leafHash)
        for node in range.append(leafHash) {
            if levels.count <= node.level { levels.append([]) }
            levels[node.level].append(node.hash)
        }
    }

    public func node(level: Int, index: Int) throws -> SHA256Hash {
        guard level < levels.count, index < levels[level].count else {
            throw LogError.internalInconsistency("no Merkle node at level \(level), index \(index)")
        }
        return levels[level][index]
    }
}
