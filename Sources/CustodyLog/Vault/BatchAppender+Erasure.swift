public import CustodyModel
import Foundation
import GRDB

extension BatchAppender {
    /// Keeps, in this transaction, what an erasure request needs until it is forgotten (the salt of its
    /// commitment and the tokens it covers) and tombstones each identifier, so the request can be found
    /// from them once the vault has forgotten the person.
    public func openErasure(_ request: String, identifiers: [SubjectIdentifier], tokens: [String], salt: [UInt8]) throws {
        try db.execute(sql: "INSERT INTO vault_erasure (request_id, salt, tokens) VALUES (?, ?, ?)",
            arguments: [request, Data(salt), tokens.sorted().joined(separator: " ")])
        for identifier in identifiers {
            try db.execute(sql: "INSERT OR REPLACE INTO tombstone (lookup, request_id) VALUES (?, ?)",
                arguments: [Data(vaultKey.tombstone(identifier.normalized)), request])
        }
    }

    /// Forgets a request's person in this transaction: deletes the vault rows of its tokens and its salt.
    /// Every connection to the store runs with `secure_delete`, so SQLite overwrites the deleted rows (and
    /// any page they free) with zeros in the new page images; the WAL still holds the earlier images until
    /// `EventStore.scrub()` truncates it.
    public func forgetErasure(_ request: String) throws {
        guard let tokens = try String.fetchOne(db, sql: "SELECT tokens FROM vault_erasure WHERE request_id = ?", arguments: [request]) else {
            return
        }
        let forgotten = Set(tokens.split(separator: " ").map(String.init))
        for token in forgotten {
            try db.execute(sql: "DELETE FROM vault WHERE token = ?", arguments: [token])
        }
        tokenCache = tokenCache.filter { !forgotten.contains($0.value) }
        try db.execute(sql: "DELETE FROM vault_erasure WHERE request_id = ?", arguments: [request])
    }
}
