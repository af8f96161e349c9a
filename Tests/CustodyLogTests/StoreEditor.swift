import CustodyLog
import Foundation
import GRDB

/// What an attacker with write access to the closed store file can do: drop the triggers, edit rows,
/// and, if careful, recompute every hash so the file is self-consistent again.
struct StoreEditor {
    let queue: DatabaseQueue

    init(path: String) throws {
        queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            for table in ["log_entry", "log_batch"] {
                try db.execute(sql: "DROP TRIGGER IF EXISTS \(table)_no_update; DROP TRIGGER IF EXISTS \(table)_no_delete")
            }
        }
    }

    func execute(_ sql: String, _ arguments: StatementArguments = []) throws {
        try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    func leaf(_ seq: Int) throws -> [UInt8] {
        try queue.read { db in Array(try Data.fetchOne(db, sql: "SELECT leaf FROM log_entry WHERE seq = ?", arguments: [seq])!) }
    }

    /// Replaces one byte sequence inside a stored event's bytes (same length, so SQLite sees nothing odd).
    func patchLeaf(_ seq: Int, replacing old: String, with new: String) throws {
        precondition(old.utf8.count == new.utf8.count)
        let text = String(decoding: try leaf(seq), as: UTF8.self)
        precondition(text.contains(old), "event \(seq) does not contain \(old)")
        try execute("UPDATE log_entry SET leaf = ? WHERE seq = ?", [Data(text.replacingOccurrences(of: old, with: new).utf8), seq])
    }

    /// The thorough forger: recomputes every leaf hash, chain link, Merkle node and batch root from the
    /// stored leaves, and removes the stored checkpoints it cannot re-sign.
    func recomputeEverything() throws {
        try queue.write { db in
            let leaves = try Row.fetchAll(db, sql: "SELECT seq, leaf FROM log_entry ORDER BY seq")
            try db.execute(sql: "DELETE FROM checkpoint")
            var range = CompactRange()
            var chain = SHA256Hash.zero
            var roots: [Int: Data] = [:]
            for row in leaves {
                let seq: Int = row[0]
                let hash = MerkleHashing.leafHash(bytes: Array(row[1] as Data))
                chain = MerkleHashing.chainLink(previous: chain, leafHash: hash)
                var nodes = Data()
                for node in range.append(hash) { nodes.append(contentsOf: node.hash.bytes) }
                try db.execute(sql: "UPDATE log_entry SET leaf_hash = ?, chain_hash = ?, nodes = ? WHERE seq = ?",
                    arguments: [Data(hash.bytes), Data(chain.bytes), nodes, seq])
                roots[range.size] = Data(range.root.bytes)
            }
            for row in try Row.fetchAll(db, sql: "SELECT batch_id, tree_size FROM log_batch") {
                if let root = roots[row[1] as Int] {
                    try db.execute(sql: "UPDATE log_batch SET root = ? WHERE batch_id = ?", arguments: [root, row[0] as String])
                } else {
                    try db.execute(sql: "DELETE FROM log_batch WHERE batch_id = ?", arguments: [row[0] as String])
                }
            }
        }
    }

    func close() throws { try queue.close() }
}
