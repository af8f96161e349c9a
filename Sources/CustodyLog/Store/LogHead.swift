import Foundation
import GRDB

/// The log's current head, read at the start of a batch: its size, its last chain link and the peaks of
/// its Merkle tree.
struct LogHead {
    let range: CompactRange
    let chain: SHA256Hash

    static func read(_ db: Database) throws -> LogHead {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, chain_hash FROM log_entry ORDER BY seq DESC LIMIT 1") else {
            return LogHead(range: CompactRange(), chain: .zero)
        }
        let size = (row[0] as Int) + 1
        let reader = SQLiteNodeReader(db: db)
        let peaks = try CompactRange.peakPositions(size: size).map { try reader.node(level: $0.level, index: $0.index) }
        guard let range = CompactRange(size: size, peaks: peaks), let chain = SHA256Hash(bytes: Array(row[1] as Data)) else {
            throw LogError(.integrity, "the log's head cannot be read back; run 'custody verify'")
        }
        return LogHead(range: range, chain: chain)
    }
}
