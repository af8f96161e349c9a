@testable import CustodyLog
import Foundation
import Testing

/// The 196 transparency-dev probes (Fixtures/rfc9162-proofs, with their README and attribution).
struct MerkleVectorTests {
    struct InclusionProbe: Decodable {
        // Some probes use 2^64 - 1 to test wrap-around; indices the verifier cannot even represent are rejected.
        let leafIdx: UInt64
        let treeSize: UInt64
        let root: Data?
        let leafHash: Data?
        let proof: [Data]?
        let desc: String
        let wantErr: Bool
    }

    struct ConsistencyProbe: Decodable {
        let size1: UInt64
        let size2: UInt64
        let root1: Data?
        let root2: Data?
        let proof: [Data]?
        let desc: String
        let wantErr: Bool
    }

    static let fixtures = Bundle.module.url(forResource: "Fixtures/rfc9162-proofs", withExtension: nil)!

    static func probeFiles(_ kind: String) -> [URL] {
        let root = fixtures.appendingPathComponent(kind)
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }
            .sorted { $0.path < $1.path }
    }

    static let inclusionFiles = probeFiles("inclusion")
    static let consistencyFiles = probeFiles("consistency")

    @Test func allProbesArePresent() {
        #expect(Self.inclusionFiles.count == 98)
        #expect(Self.consistencyFiles.count == 98)
    }

    @Test(arguments: inclusionFiles)
    func inclusionProbeGivesItsExpectedVerdict(file: URL) throws {
        let probe = try JSONDecoder().decode(InclusionProbe.self, from: Data(contentsOf: file))
        let accepted: Bool
        do {
            guard let index = Int(exactly: probe.leafIdx), let size = Int(exactly: probe.treeSize) else {
                throw MerkleVerifier.Failure(description: "out of range")
            }
            try MerkleVerifier.verifyInclusion(index: index, size: size, leafHash: Array(probe.leafHash ?? Data()),
                proof: (probe.proof ?? []).map { Array($0) }, root: Array(probe.root ?? Data()))
            accepted = true
        } catch {
            accepted = false
        }
        #expect(accepted == !probe.wantErr, "\(file.lastPathComponent): \(probe.desc)")
    }

    @Test(arguments: consistencyFiles)
    func consistencyProbeGivesItsExpectedVerdict(file: URL) throws {
        let probe = try JSONDecoder().decode(ConsistencyProbe.self, from: Data(contentsOf: file))
        let accepted: Bool
        do {
            guard let first = Int(exactly: probe.size1), let second = Int(exactly: probe.size2) else {
                throw MerkleVerifier.Failure(description: "out of range")
            }
            try MerkleVerifier.verifyConsistency(first: first, second: second, firstRoot: Array(probe.root1 ?? Data()),
                secondRoot: Array(probe.root2 ?? Data()), proof: (probe.proof ?? []).map { Array($0) })
            accepted = true
        } catch {
            accepted = false
        }
        #expect(accepted == !probe.wantErr, "\(file.lastPathComponent): \(probe.desc)")
    }

    /// Leaf inputs and roots of transparency-dev/merkle's testonly constants (also in the fixture README).
    static let leafInputs = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
    static let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    @Test(arguments: 0...8)
    func rootOfTheFirstLeavesMatchesThePublishedRoot(size: Int) throws {
        var tree = InMemoryMerkleTree()
        for input in Self.leafInputs.prefix(size) { tree.append(MerkleHashing.leafHash(bytes: Self.bytes(hex: input))) }
        #expect(tree.root.hex == Self.roots[size])
        #expect(try MerkleProofs(reader: tree).root(size: size).hex == Self.roots[size])
    }
}
