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
    /// Both tables are then copied into fresh pages and the old ones dropped (the store runs with
    /// `secure_delete`, so freed pages are zeroed): no page keeps a stale copy of a deleted row in its
    /// free space. The WAL still holds earlier page images until `EventStore.scrub()` truncates it.
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
        try db.execute(sql: """
            CREATE TABLE vault_fresh (lookup BLOB PRIMARY KEY NOT NULL, token TEXT NOT NULL UNIQUE) STRICT, WITHOUT ROWID;
            INSERT INTO vault_fresh SELECT lookup, token FROM vault ORDER BY lookup;
            DROP TABLE vault;
            ALTER TABLE vault_fresh RENAME TO vault;
            CREATE TABLE vault_erasure_fresh (request_id TEXT PRIMARY KEY NOT NULL, salt BLOB NOT NULL, tokens TEXT NOT NULL) STRICT;
            INSERT INTO vault_erasure_fresh SELECT request_id, salt, tokens FROM vault_erasure ORDER BY request_id;
            DROP TABLE vault_erasure;
            ALTER TABLE vault_erasure_fresh RENAME TO vault_erasure;
            """)
    }
}
