import GRDB

/// The store's schema, migrated forward one named step at a time. A store written by a newer Custody
/// (with migrations this binary does not know) is refused rather than misread.
enum StoreSchema {
    static let format = "custody-store"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-log") { db in
            try db.execute(sql: """
                CREATE TABLE store_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;
                -- seq is the RFC 9162 leaf index; leaf is the exact preimage of the leaf hash. nodes holds the
                -- roots of the perfect subtrees this leaf completes (levels 1, 2, ... in order, 32 bytes each):
                -- every interior node of the tree is stored once, in the row of the last leaf it covers.
                CREATE TABLE log_entry (
                    seq INTEGER PRIMARY KEY NOT NULL,
                    leaf BLOB NOT NULL,
                    leaf_hash BLOB NOT NULL,
                    chain_hash BLOB NOT NULL,
                    nodes BLOB NOT NULL
                ) STRICT;
                CREATE TABLE log_batch (
                    batch_id TEXT PRIMARY KEY NOT NULL,
                    first_seq INTEGER NOT NULL,
                    event_count INTEGER NOT NULL,
                    recorded_at TEXT NOT NULL,
                    tree_size INTEGER NOT NULL,
                    root BLOB NOT NULL
                ) STRICT;
                CREATE TABLE checkpoint (
                    tree_size INTEGER PRIMARY KEY NOT NULL,
                    note TEXT NOT NULL,
                    created_at TEXT NOT NULL
                ) STRICT;
                -- HMAC(vault key, identifier) -> random token. Never an identifier.
                CREATE TABLE vault (lookup BLOB PRIMARY KEY NOT NULL, token TEXT NOT NULL UNIQUE) STRICT, WITHOUT ROWID;
                """)
            for table in ["log_entry", "log_batch"] {
                try db.execute(sql: """
                    CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
                    BEGIN SELECT RAISE(ABORT, 'the log is append-only: \(table) rows cannot be changed'); END;
                    CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
                    BEGIN SELECT RAISE(ABORT, 'the log is append-only: \(table) rows cannot be deleted'); END;
                    """)
            }
        }
        migrator.registerMigration("v2-projection-state") { db in
            // How many events of the log each projector's tables cover (see LogProjector).
            try db.execute(sql: "CREATE TABLE projection_state (name TEXT PRIMARY KEY NOT NULL, through INTEGER NOT NULL) STRICT")
        }
        migrator.registerMigration("v3-erasure") { db in
            try db.execute(sql: """
                -- An erasure request not yet forgotten: the salt of the commitment its event carries and the
                -- tokens it covers. Deleted, with those tokens' vault rows, when the request is forgotten.
                CREATE TABLE vault_erasure (request_id TEXT PRIMARY KEY NOT NULL, salt BLOB NOT NULL, tokens TEXT NOT NULL) STRICT;
                -- HMAC(tombstone key, identifier) -> the erasure request that named it, and nothing else.
                CREATE TABLE tombstone (lookup BLOB PRIMARY KEY NOT NULL, request_id TEXT NOT NULL) STRICT, WITHOUT ROWID;
                -- Events that named a forgotten person again (under a new token): the event and the request only.
                CREATE TABLE named_again (seq INTEGER NOT NULL, request_id TEXT NOT NULL, PRIMARY KEY (seq, request_id)) STRICT, WITHOUT ROWID;
                """)
        }
        return migrator
    }
}
