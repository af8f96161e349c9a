@testable import CustodyLog
import CustodyTestSupport
import Testing

/// The fast tree (compact range appends, proofs from stored perfect subtrees) against the literal RFC.
struct MerkleReferenceTests {
    private static func randomLeaves(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in (0..<Int(random.next() % 40)).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
    }

    private static func tree(_ leaves: [[UInt8]]) -> InMemoryMerkleTree {
        InMemoryMerkleTree(leafHashes: leaves.map { MerkleHashing.leafHash(bytes: $0) })
    }

    /// Every size up to 70: every root, every inclusion proof and every consistency proof, each also
    /// accepted by the verifier.
    @Test func everyProofOfSmallTreesMatchesTheReference() throws {
        let leaves = Self.randomLeaves(70, seed: 7)
        let tree = Self.tree(leaves)
        let proofs = MerkleProofs(reader: tree)
        for size in 1...leaves.count {
            let slice = leaves[0..<size]
            let root = ReferenceMerkle.mth(slice)
            #expect(try proofs.root(size: size).bytes == root)
            for index in 0..<size {
                let proof = try proofs.inclusionProof(index: index, size: size).map(\.bytes)
                #expect(proof == ReferenceMerkle.path(index, slice))
                try MerkleVerifier.verifyInclusion(index: index, size: size, leafHash: ReferenceMerkle.hash([0x00] + leaves[index]), proof: proof, root: root)
            }
            for first in 1...size {
                let proof = try proofs.consistencyProof(first: first, second: size).map(\.bytes)
                #expect(proof == ReferenceMerkle.proof(first, slice))
                try MerkleVerifier.verifyConsistency(first: first, second: size, firstRoot: ReferenceMerkle.mth(leaves[0..<first]), secondRoot: root, proof: proof)
            }
        }
    }

    /// Random trees up to 1,000 leaves: the root, and every inclusion and consistency proof of the tree.
    @Test(arguments: [(1_000, 11 as UInt64), (777, 12), (513, 13)])
    func everyProofOfARandomLargeTreeMatchesTheReference(size: Int, seed: UInt64) throws {
        let leaves = Self.randomLeaves(size, seed: seed)
        let tree = Self.tree(leaves)
        let proofs = MerkleProofs(reader: tree)
        let slice = leaves[...]
        let root = ReferenceMerkle.mth(slice)
        #expect(tree.root.bytes == root)
        // The root of every prefix, from the stored subtrees, as the log computes the root at a checkpoint's size.
        for prefix in stride(from: 1, through: size, by: size == 1_000 ? 1 : 37) {
            #expect(try proofs.root(size: prefix).bytes == ReferenceMerkle.mth(leaves[0..<prefix]))
        }
        for index in 0..<size {
            #expect(try proofs.inclusionProof(index: index, size: size).map(\.bytes) == ReferenceMerkle.path(index, slice))
        }
        for first in 1...size {
            #expect(try proofs.consistencyProof(first: first, second: size).map(\.bytes) == ReferenceMerkle.proof(first, slice))
        }
    }

    @Test func mutatedProofsAreRejected() throws {
        let leaves = Self.randomLeaves(37, seed: 3)
        let tree = Self.tree(leaves)
        let proofs = MerkleProofs(reader: tree)
        let root = tree.root.bytes
        for index in [0, 5, 31, 36] {
            let leafHash = MerkleHashing.leafHash(bytes: leaves[index]).bytes
            let proof = try proofs.inclusionProof(index: index, size: 37).map(\.bytes)
            for element in proof.indices {
                var flipped = proof
                flipped[element][0] ^= 1
                #expect(throws: MerkleVerifier.Failure.self) {
                    try MerkleVerifier.verifyInclusion(index: index, size: 37, leafHash: leafHash, proof: flipped, root: root)
                }
            }
            #expect(throws: MerkleVerifier.Failure.self) {
                try MerkleVerifier.verifyInclusion(index: index, size: 37, leafHash: leafHash, proof: Array(proof.dropLast()), root: root)
            }
            #expect(throws: MerkleVerifier.Failure.self) {
                try MerkleVerifier.verifyInclusion(index: index, size: 37, leafHash: leafHash, proof: proof + [root], root: root)
            }
            #expect(throws: MerkleVerifier.Failure.self) {
                try MerkleVerifier.verifyInclusion(index: index ^ 1, size: 37, leafHash: leafHash, proof: proof, root: root)
            }
        }
    }
}
