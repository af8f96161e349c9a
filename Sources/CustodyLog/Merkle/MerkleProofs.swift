/// RFC 9162 §2.1 tree heads and proofs computed from stored perfect-subtree roots, in O(log² n) reads
/// at worst (O(log n) for the common case).
public struct MerkleProofs<Reader: MerkleNodeReader> {
    public let reader: Reader

    public init(reader: Reader) {
        self.reader = reader
    }

    /// The tree head of the first `size` leaves.
    public func root(size: Int) throws -> SHA256Hash {
        size == 0 ? MerkleHashing.emptyRoot : try subtreeHash(start: 0, end: size)
    }

    /// `PATH(index, D[size])`: the audit path of a leaf, from its sibling upward.
    public func inclusionProof(index: Int, size: Int) throws -> [SHA256Hash] {
        guard index >= 0, index < size else {
            throw LogError.badProofRequest("leaf \(index) is not in a tree of \(size) events")
        }
        return try path(index, start: 0, end: size)
    }

    /// `PROOF(first, D[second])`: proves a tree of `second` leaves extends one of `first`.
    public func consistencyProof(first: Int, second: Int) throws -> [SHA256Hash] {
        guard first > 0, first <= second else {
            throw LogError.badProofRequest("no consistency proof from size \(first) to size \(second)")
        }
        if first == second { return [] }
        return try subproof(first, start: 0, end: second, complete: true)
    }

    private func path(_ m: Int, start: Int, end: Int) throws -> [SHA256Hash] {
        let n = end - start
        if n == 1 { return [] }
        let k = Self.largestPowerOfTwo(below: n)
        if m < k {
            return try path(m, start: start, end: start + k) + [subtreeHash(start: start + k, end: end)]
        }
        return try path(m - k, start: start + k, end: end) + [subtreeHash(start: start, end: start + k)]
    }

    private func subproof(_ m: Int, start: Int, end: Int, complete: Bool) throws -> [SHA256Hash] {
        let n = end - start
        if m == n {
            return complete ? [] : [try subtreeHash(start: start, end: end)]
        }
        let k = Self.largestPowerOfTwo(below: n)
        if m <= k {
            return try subproof(m, start: start, end: start + k, complete: complete)
                + [subtreeHash(start: start + k, end: end)]
        }
        return try subproof(m - k, start: start + k, end: end, complete: false)
            + [subtreeHash(start: start, end: start + k)]
    }

    /// `MTH(D[start:end])` for a range the RFC recursion produces: `start` is aligned to the largest
    /// power of two not above `end - start`, so the range splits into stored perfect subtrees.
    func subtreeHash(start: Int, end: Int) throws -> SHA256Hash {
        var peaks: [SHA256Hash] = []
        var position = start
        while position < end {
            var level = Int.bitWidth - 1 - (end - position).leadingZeroBitCount
            while position & ((1 << level) - 1) != 0 { level -= 1 }
            peaks.append(try reader.node(level: level, index: position >> level))
            position += 1 << level
        }
        var hash = peaks.removeLast()
        for peak in peaks.reversed() {
            hash = MerkleHashing.nodeHash(peak, hash)
        }
        return hash
    }

    /// The largest power of two strictly below `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int) -> Int {
        1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }
}
