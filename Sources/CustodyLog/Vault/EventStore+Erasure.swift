public import CustodyModel
import Foundation
import GRDB

extension EventStore {
    /// What the vault keeps of an erasure request until it is forgotten; `nil` once it is (or for a
    /// request it never had).
    public struct OpenErasure: Sendable {
        public let salt: [UInt8]
        public let tokens: [String]
    }

    /// The salt and tokens of `request`, while the request is not forgotten.
    public func openErasure(_ request: String) throws(LogError) -> OpenErasure? {
        do {
            return try queue.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT salt, tokens FROM vault_erasure WHERE request_id = ?", arguments: [request])
                else { return nil }
                let salt: Data = row[0], tokens: String = row[1]
                return OpenErasure(salt: Array(salt), tokens: tokens.split(separator: " ").map(String.init))
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// The requests not yet forgotten.
    public func openErasureRequests() throws(LogError) -> [String] {
        do {
            return try queue.read { db in try String.fetchAll(db, sql: "SELECT request_id FROM vault_erasure ORDER BY request_id") }
        } catch { throw Self.translate(error, path: path) }
    }

    /// The erasure request a tombstone of one of `identifiers` leads to (the latest recorded, when the
    /// person asked more than once), or `nil`.
    public func erasureRequest(tombstoning identifiers: [SubjectIdentifier], vaultKey: VaultKey) throws(LogError) -> String? {
        try checkVaultKey(vaultKey)
        do {
            return try queue.read { db in
                for identifier in identifiers {
                    if let request = try String.fetchOne(db, sql: "SELECT request_id FROM tombstone WHERE lookup = ?",
                        arguments: [Data(vaultKey.tombstone(identifier.normalized))]) { return request }
                }
                return nil
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// Removes what forgetting leaves outside the database's live pages: checkpoints the WAL into the
    /// main file and truncates it to nothing, so no earlier image of a vault page survives there. Safe to
    /// repeat; an erasure interrupted after it forgot resumes here.
    public func scrub() throws(LogError) {
        do {
            let busy = try queue.writeWithoutTransaction { db in
                try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)").map { (row: Row) -> Int in row[0] } ?? 1
            }
            guard busy == 0 else {
                throw LogError(.storeUnavailable, "another process is reading the store at \(path), so its WAL could not be truncated; "
                    + "run the erase command again when it has finished")
            }
        } catch let error as LogError {
            throw error
        } catch { throw Self.translate(error, path: path) }
    }
}
