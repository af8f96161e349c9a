/// The right edge of a growing Merkle tree: the roots of the perfect subtrees that the binary digits of
/// its size stand for. Appending a leaf costs amortised O(1) hashes and reports the subtrees it
/// completes, which the store keeps so proofs need only O(log n) reads.
public struct CompactRange: Sendable {
    /// Number of leaves so far.
    public private(set) var size: Int
    /// Roots of the perfect subtrees, largest (leftmost) first.
    public private(set) var peaks: [SHA256Hash]

    public init() {
        size = 0
        peaks = []
    }

    /// A range resumed from stored peaks; `peaks.count` must equal the number of one bits in `size`.
    public init?(size: Int, peaks: [SHA256Hash]) {
        guard size >= 0, size.nonzeroBitCount == peaks.count else { return nil }
        self.size = size
        self.peaks = peaks
    }

    /// Appends a leaf hash; returns the interior nodes (level ≥ 1) it completed, lowest level first.
    @discardableResult
    public mutating func append(_ leafHash: SHA256Hash) -> [MerkleNode] {
        var completed: [MerkleNode] = []
        var hash = leafHash
        var level = 0
        var index = size
        peaks.append(hash)
        // Each trailing one bit of the old size is a peak of the same height as the new one: merge them.
        while index & 1 == 1 {
            let right = peaks.removeLast()
            let left = peaks.removeLast()
            hash = MerkleHashing.nodeHash(left, right)
            level += 1
            index >>= 1
            peaks.append(hash)
            completed.append(MerkleNode(level: level, index: index, hash: hash))
        }
        size += 1
        return completed
    }

    /// The RFC 9162 tree head of the leaves appended so far.
    public var root: SHA256Hash {
        guard var hash = peaks.last else { return MerkleHashing.emptyRoot }
        for peak in peaks.dropLast().reversed() {
            hash = MerkleHashing.nodeHash(peak, hash)
        }
        return hash
    }

    /// The (level, index) of each peak of a tree of `size` leaves, largest first.
    public static func peakPositions(size: Int) -> [(level: Int, index: Int)] {
        var positions: [(level: Int, index: Int)] = []
        var start = 0
        for level in stride(from: Int.bitWidth - 2, through: 0, by: -1) where size & (1 << level) != 0 {
            positions.append((level, start >> level))
            start += 1 << level
        }
        return positions
    }
}
