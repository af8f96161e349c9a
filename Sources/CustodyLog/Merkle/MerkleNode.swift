/// The root of a perfect subtree: the `index`-th subtree of `2^level` leaves, covering leaves
/// `index·2^level ..< (index+1)·2^level`. Level 0 nodes are leaf hashes.
public struct MerkleNode: Hashable, Sendable {
    public let level: Int
    public let index: Int
    public let hash: SHA256Hash

    public init(level: Int, index: Int, hash: SHA256Hash) {
        self.level = level
        self.index = index
        self.hash = hash
    }

    /// The last leaf the node covers; the store keys nodes by it, so they sort in the order they complete.
    public var lastLeaf: Int { ((index + 1) << level) - 1 }
}
