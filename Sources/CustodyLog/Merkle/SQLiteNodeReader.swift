import Foundation
import GRDB

/// Reads perfect-subtree roots from the store: leaf hashes from `log_entry.leaf_hash`, interior nodes
/// from the `nodes` of the row of the last leaf they cover._node`.
struct SQLiteNodeReader: MerkleNodeReader {
    let db: Database
    /// Nodes read so far, for a reader that answers many proofs of one tree: they share their upper nodes.
    private let remembered: RememberedNodes?

    /// - Parameter remembering: keep every node read, for many proofs in one transaction (not for a walk
    ///   over the whole tree, whose nodes would all stay in memory).
    init(db: Database, remembering: Bool = false) {
        self.db = db
        remembered = remembering ? RememberedNodes() : nil
    }

    func node(level: Int, index: Int) throws -> SHA256Hash {
        if let known = remembered?.nodes[NodeAddress(level: level, index: index)] { return known }
        let lastLeaf = ((index + 1) << level) - 1
        let statement = try db.cachedStatement(sql: level == 0 ? "SELECT leaf_hash FROM log_entry WHERE seq = ?" : "SELECT nodes FROM log_entry WHERE seq = ?")
        let data = try Data.fetchOne(statement, arguments: [lastLeaf])
        let offset = level == 0 ? 0 : (level - 1) * 32
        guard let data, data.count >= offset + 32, let hash = SHA256Hash(bytes: data.dropFirst(offset).prefix(32)) else {
            throw LogError(.integrity, "the stored Merkle node at level \(level), index \(index) is missing or damaged; run 'custody verify'")
        }
        remembered?.nodes[NodeAddress(level: level, index: index)] = hash
        return hash
    }

    private struct NodeAddress: Hashable {
        let level: Int
        let index: Int
    }

    private final class RememberedNodes {
        var nodes: [NodeAddress: SHA256Hash] = [:]
    }
}
