import Foundation
import GRDB

/// Reads perfect-subtree roots from the store: leaf hashes from `log_entry.leaf_hash`, interior nodes
/// from the `nodes` of the row of the last leaf they cover._node`.
struct SQLiteNodeReader: MerkleNodeReader {
    let db: Database

    func node(level: Int, index: Int) throws -> SHA256Hash {
        let lastLeaf = ((index + 1) << level) - 1
        let column = level == 0 ? "leaf_hash" : "nodes"
        let data = try Data.fetchOne(db, sql: "SELECT \(column) FROM log_entry WHERE seq = ?", arguments: [lastLeaf])
        let offset = level == 0 ? 0 : (level - 1) * 32
        guard let data, data.count >= offset + 32, let hash = SHA256Hash(bytes: data.dropFirst(offset).prefix(32)) else {
            throw LogError(.integrity, "the stored Merkle node at level \(level), index \(index) is missing or damaged; run 'custody verify'")
        }
        return hash
    }
}
