import Foundation
import CSQLite
import GRDB
import Synchronization

/// The append-only, tamper-evident event log on one SQLite file.
///
/// Writes go through one connection with `BEGIN IMMEDIATE`, WAL, `synchronous=FULL`, a busy timeout
/// and `SQLITE_DBCONFIG_DEFENSIVE`. Each call to `append` is one transaction: every event of it is
/// committed, or none is.
///
/// ```swift
/// let store = try EventStore.create(at: "custody.db", origin: "example.com/custody", vaultKey: key,
///                                  signer: signer)
/// let receipt = try store.append(recordedAt: now, batchID: UUID(), vaultKey: key) { batch in
///     try batch.append(validatedEvent)
/// }
/// ```
public final class EventStore: Sendable {
    public let path: String
    let queue: DatabaseQueue
    /// A read-only connection for queries, opened on first use (see `read`), and a second one for work on
    /// another thread beside them (see `readBeside`).
    private let reader = Mutex<DatabaseQueue?>(nil)
    private let besideReader = Mutex<DatabaseQueue?>(nil)

    private init(path: String, queue: DatabaseQueue) {
        self.path = path
        self.queue = queue
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "custody-store"
        configuration.prepareDatabase { db in
            guard custody_sqlite_set_defensive(db.sqliteConnection) == SQLITE_OK else {
                throw LogError(.storeUnavailable, "cannot enable SQLite's defensive mode on the store")
            }
            try db.execute(sql: "PRAGMA trusted_schema = OFF")
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    private static func openQueue(at path: String, creating: Bool = false) throws(LogError) -> DatabaseQueue {
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration())
            try queue.writeWithoutTransaction { db in
                // Events are about a kilobyte each: 8 KiB pages hold seven where 4 KiB pages hold three.
                // The page size can only be chosen before the first table exists.
                if creating { try db.execute(sql: "PRAGMA page_size = 8192") }
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                guard mode == "wal" else { throw LogError(.storeUnavailable, "the store at \(path) cannot use WAL mode") }
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            return queue
        } catch let error as LogError {
            throw error
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// Creates a new store at `path` (which must not exist) and records the keys that belong to it.
    public static func create(at path: String, origin: String, vaultKey: VaultKey, verifier: NoteVerifier) throws(LogError) -> EventStore {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw LogError(.storeUnavailable, "a file already exists at \(path)")
        }
        let queue = try openQueue(at: path, creating: true)
        do {
            try StoreSchema.migrator.migrate(queue)
            try queue.write { db in
                for (key, value) in [
                    ("format", StoreSchema.format), ("origin", origin),
                    ("vault_key_check", Data(vaultKey.checkValue).base64EncodedString()),
                    ("verifier_key", verifier.description),
                ] {
                    try db.execute(sql: "INSERT INTO store_meta (key, value) VALUES (?, ?)", arguments: [key, value])
                }
            }
        } catch {
            throw translate(error, path: path)
        }
        return EventStore(path: path, queue: queue)
    }

    /// Opens an existing store, migrating an older schema forward.
    public static func open(at path: String) throws(LogError) -> EventStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LogError(.storeUnavailable, "there is no store at \(path); create one with 'custody init' or a first 'custody ingest', or name it with --store")
        }
        let queue = try openQueue(at: path)
        do {
            try queue.read { db in
                guard try db.tableExists("store_meta"),
                    try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'format'") == StoreSchema.format
                else { throw LogError(.integrity, "\(path) is an SQLite file but not a Custody store (its store_meta table is missing or wrong)") }
                if try StoreSchema.migrator.hasBeenSuperseded(db) {
                    throw LogError(.storeUnavailable, "the store at \(path) was written by a newer Custody; use that version")
                }
            }
            try StoreSchema.migrator.migrate(queue)
        } catch {
            throw translate(error, path: path)
        }
        return EventStore(path: path, queue: queue)
    }

    deinit {
        try? closeReader()
    }

    /// Closes the connections; the WAL is checkpointed into the main file.
    public func close() throws(LogError) {
        do {
            try closeReader()
            try queue.close()
        } catch { throw Self.translate(error, path: path) }
    }

    /// The reading connection closes first, so the writing one is the last and folds the WAL into the main
    /// file (a read-only connection cannot).
    private func closeReader() throws {
        try reader.withLock { reader in
            try reader?.close()
            reader = nil
        }
        try besideReader.withLock { reader in
            try reader?.close()
            reader = nil
        }
    }

    /// The read-only connection (`beside`: the second one), opened on first use. Queries read through it rather
    /// than through the writing connection: reading there makes GRDB switch `PRAGMA query_only` on and off around
    /// each read, and every switch expires SQLite's prepared statements, so each query would compile all of its
    /// statements again.
    func readingQueue(beside: Bool = false) throws -> DatabaseQueue {
        if beside {
            return try besideReader.withLock { reader in try reader ?? openReader(label: "custody-store-reader-beside", into: &reader) }
        }
        return try reader.withLock { reader in try reader ?? openReader(label: "custody-store-reader", into: &reader) }
    }

    private func openReader(label: String, into reader: inout DatabaseQueue?) throws -> DatabaseQueue {
        var configuration = Self.configuration()
        configuration.readonly = true
        configuration.label = label
        configuration.prepareDatabase { db in
            // Queries wander over the projections; a page cache of up to 32 MiB (filled only as pages are
            // read) keeps them from reading the same pages back from the file, query after query. Not
            // memory-mapping: a file truncated under a mapping would crash the reader rather than fail.
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        let opened = try DatabaseQueue(path: path, configuration: configuration)
        reader = opened
        return opened
    }

    /// The checkpoint origin recorded at creation.
    public func origin() throws(LogError) -> String {
        try meta("origin")
    }

    /// The verifier key of the store's signing key, recorded at creation.
    public func verifierKey() throws(LogError) -> NoteVerifier {
        do { return try NoteVerifier(parsing: try meta("verifier_key")) } catch let error as CheckpointError {
            throw LogError(.integrity, "the store's recorded verifier key is damaged: \(error)")
        } catch let error as LogError { throw error } catch { throw Self.translate(error, path: path) }
    }

    /// Throws a key error unless `vaultKey` is the one this store was created with.
    public func checkVaultKey(_ vaultKey: VaultKey) throws(LogError) {
        guard try meta("vault_key_check") == Data(vaultKey.checkValue).base64EncodedString() else {
            throw LogError(.key, "the vault key does not belong to the store at \(path); use the key file created with this store")
        }
    }

    /// Throws a key error unless `signer` is the store's signing key.
    public func checkSigner(_ signer: NoteSigner) throws(LogError) {
        guard try verifierKey() == signer.verifier else {
            throw LogError(.key, "the signing key does not belong to the store at \(path); use the key file created with this store")
        }
    }

    func meta(_ key: String) throws(LogError) -> String {
        do {
            guard let value = try queue.read({ db in try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = ?", arguments: [key]) })
            else { throw LogError(.integrity, "the store's metadata has no '\(key)'") }
            return value
        } catch let error as LogError { throw error } catch { throw Self.translate(error, path: path) }
    }

    /// Maps an SQLite error to the log's error kinds: an unreadable or malformed file is an integrity
    /// failure, a lock that outlasts the busy timeout is "store unavailable".
    package static func translate(_ error: any Error, path: String) -> LogError {
        if let error = error as? LogError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_CORRUPT, .SQLITE_NOTADB:
                return LogError(.integrity, "SQLite cannot read the store at \(path): \(error.message ?? "\(error)"); the file is damaged")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return LogError(.storeUnavailable, "the store at \(path) is locked by another writer; try again")
            case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_FULL:
                return LogError(.io, "cannot use the store at \(path): \(error.message ?? "\(error)")")
            default:
                return LogError(.internalInconsistency, "SQLite error on the store at \(path): \(error)")
            }
        }
        return LogError(.internalInconsistency, "unexpected error on the store at \(path): \(error)")
    }
}
