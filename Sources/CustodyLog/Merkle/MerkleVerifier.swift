/// Verification of RFC 9162 inclusion and consistency proofs (§2.1.3.2, §2.1.4.2).
///
/// Written for adversarial input: hashes of the wrong length, proofs from size 0, out-of-range indices
/// and proofs one element too long or short are all rejected. Take the tree size only from a verified
/// checkpoint: for some shapes a proof verifies for both n and n + 1.
public enum MerkleVerifier {
    /// Why a proof was rejected.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Checks that `leafHash` is leaf `index` of the tree of `size` leaves whose head is `root`.
    public static func verifyInclusion(
        index: Int, size: Int, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]
    ) throws(Failure) {
        guard index >= 0, index < size else { throw Failure(description: "leaf index \(index) is not below the tree size \(size)") }
        guard leafHash.count == 32 else { throw Failure(description: "the leaf hash is not 32 bytes") }
        let computed = try rootFromInclusionProof(index: index, size: size, leafHash: leafHash, proof: proof)
        guard computed == root else { throw Failure(description: "the proof leads to a different root") }
    }

    /// The root an inclusion proof leads to.
    public static func rootFromInclusionProof(
        index: Int, size: Int, leafHash: [UInt8], proof: [[UInt8]]
    ) throws(Failure) -> [UInt8] {
        guard proof.allSatisfy({ $0.count == 32 }) else { throw Failure(description: "a proof hash is not 32 bytes") }
        var fn = index
        var sn = size - 1
        var r = SHA256Hash(bytes: leafHash)!
        for p in proof {
            guard sn != 0 else { throw Failure(description: "the proof is too long") }
            let node = SHA256Hash(bytes: p)!
            if fn & 1 == 1 || fn == sn {
                r = MerkleHashing.nodeHash(node, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = MerkleHashing.nodeHash(r, node)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw Failure(description: "the proof is too short") }
        return r.bytes
    }

    /// Checks that the tree of `second` leaves with head `secondRoot` extends the tree of `first` leaves
    /// with head `firstRoot`.
    public static func verifyConsistency(
        first: Int, second: Int, firstRoot: [UInt8], secondRoot: [UInt8], proof: [[UInt8]]
    ) throws(Failure) {
        guard first > 0 else { throw Failure(description: "no consistency proof starts from an empty tree") }
        guard first <= second else { throw Failure(description: "size \(first) is larger than size \(second)") }
        if first == second {
            guard proof.isEmpty else { throw Failure(description: "equal sizes need an empty proof") }
            guard firstRoot == secondRoot else { throw Failure(description: "equal sizes with different roots") }
            return
        }
        guard !proof.isEmpty else { throw Failure(description: "the proof is empty") }
        guard proof.allSatisfy({ $0.count == 32 }) else { throw Failure(description: "a proof hash is not 32 bytes") }
        var path = proof.map { SHA256Hash(bytes: $0)! }
        if first & (first - 1) == 0 {
            guard let root = SHA256Hash(bytes: firstRoot) else { throw Failure(description: "the first root is not 32 bytes") }
            path.insert(root, at: 0)
        }
        var fn = first - 1
        var sn = second - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { throw Failure(description: "the proof is too long") }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHashing.nodeHash(c, fr)
                sr = MerkleHashing.nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = MerkleHashing.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw Failure(description: "the proof is too short") }
        guard fr.bytes == firstRoot else { throw Failure(description: "the proof does not lead to the first root") }
        guard sr.bytes == secondRoot else { throw Failure(description: "the proof does not lead to the second root") }
    }
}
