import CSQLite
import Foundation
package import GRDB

extension EventStore {
    /// Drops every table of `projectors` and rebuilds it by replaying the whole log, in one transaction:
    /// readers see the old projections or the new ones, never a half-built one. Returns the number of
    /// events replayed. `progress` is told, now and then, how many events of how many have been replayed.
    @discardableResult
    public func rebuildProjections(_ projectors: [any LogProjector],
                                   progress: ((_ replayed: Int, _ of: Int) -> Void)? = nil) throws(LogError) -> Int {
        do {
            return try queue.writeWithoutTransaction { db in
                var replayed = 0
                try db.inTransaction(.immediate) {
                    try Self.withoutZeroingFreedPages(db) {
                        for projector in projectors {
                            for table in projector.tables.reversed() { try db.execute(sql: "DROP TABLE IF EXISTS \(table)") }
                        }
                    }
                    for projector in projectors {
                        try db.execute(sql: "DELETE FROM projection_state WHERE name = ?", arguments: [projector.name])
                    }
                    replayed = try Self.logSize(db)
                    let writers = try LogReplay.beginUpToDate(projectors, db: db, logSize: replayed, progress: progress)
                    for writer in writers { try writer.finish() }
                    for projector in projectors { try LogReplay.record(db, projected: replayed, by: projector.name) }
                    return .commit
                }
                return replayed
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// Runs `body` with SQLite's `secure_delete` in its FAST mode, which frees pages without writing zeros over
    /// them, and puts it back on whatever happens. Only for dropping projection tables: they are made from the
    /// log alone, which keeps every byte they hold, so zeroing their pages (the store's `secure_delete`, there for
    /// the vault) protected nothing and wrote the whole projection again, about a tenth of a rebuild; the rebuild fills
    /// most of the freed pages again at once.
    private static func withoutZeroingFreedPages(_ db: Database, _ body: () throws -> Void) throws {
        try db.execute(sql: "PRAGMA secure_delete = FAST")
        do {
            try body()
        } catch {
            try? db.execute(sql: "PRAGMA secure_delete = ON")
            throw error
        }
        try db.execute(sql: "PRAGMA secure_delete = ON")
    }

    /// Brings the tables of `projectors` up to the end of the log, for a store appended to without them
    /// (or made before they existed). Does nothing, and takes no write lock, when they are current.
    public func bringProjectionsUpToDate(_ projectors: [any LogProjector]) throws(LogError) {
        do {
            let behind = try queue.read { db in
                let size = try Self.logSize(db)
                return try projectors.contains { projector in try LogReplay.projected(db, by: projector.name) != size }
            }
            guard behind else { return }
            try queue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let size = try Self.logSize(db)
                    for writer in try LogReplay.beginUpToDate(projectors, db: db, logSize: size) { try writer.finish() }
                    for projector in projectors { try LogReplay.record(db, projected: size, by: projector.name) }
                    return .commit
                }
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// Runs `body` in one read transaction: a consistent snapshot of the log and its projections, for the
    /// query modules of this package.
    package func read<T>(_ body: (Database) throws -> T) throws(LogError) -> T {
        do { return try readingQueue().read(body) } catch { throw Self.translate(error, path: path) }
    }

    /// `read(_:)` on a read-only connection of its own: for work on another thread that must not wait while
    /// `read(_:)` is busy, nor make it wait (an audit trail judges its findings while it reads its events).
    package func readBeside<T>(_ body: (Database) throws -> T) throws(LogError) -> T {
        do { return try readingQueue(beside: true).read(body) } catch { throw Self.translate(error, path: path) }
    }

    /// Replays the log, as far as each projector's tables claim to cover it, into a scratch database and
    /// compares every table with the store's, row by row.
    func compareProjections(_ projectors: [any LogProjector], problemLimit: Int) throws -> (ProjectionCheck, [IntegrityProblem]) {
        let scratchPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("custody-verify-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratchPath + suffix) }
        }
        let scratch = try DatabaseQueue(path: scratchPath)
        defer { try? scratch.close() }
        return try scratch.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF")
            try db.execute(sql: "PRAGMA synchronous = OFF")
            // Read-only: the replay writes only the scratch database, whatever its statements name.
            try db.execute(sql: "ATTACH DATABASE ? AS store", arguments: [Self.readOnlyURI(path)])
            guard sqlite3_db_readonly(db.sqliteConnection, "store") == 1 else {
                // An SQLite built without URI filenames would have attached a new, empty file by that name.
                throw LogError(.storeUnavailable, "this build of SQLite cannot attach the store read-only (it needs URI filenames, "
                    + "SQLITE_USE_URI); verify needs a system SQLite built with them")
            }
            defer { try? db.execute(sql: "DETACH DATABASE store") }
            var problems: [IntegrityProblem] = []
            var events = 0, tables = 0, rows = 0
            // One transaction, so the replay and the comparison see the same snapshot of the store.
            try db.inTransaction(.deferred) {
                for projector in projectors {
                    let through = try LogReplay.projected(db, by: projector.name, schema: "store")
                    events = max(events, through)
                    let writer = try projector.begin(ProjectionDatabase(db))
                    try LogReplay.replay(db, schema: "store", in: 0..<through, projectors: [projector], writers: [writer])
                    // What a writer works out at the end of a transaction is part of its tables too.
                    try writer.finish()
                    for table in projector.tables {
                        tables += 1
                        let comparison = ProjectionComparison(db: db, table: table, logSize: through)
                        problems += try comparison.differences(limit: problemLimit)
                        if try comparison.storeHasTable() { rows += try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM store.\(table)") ?? 0 }
                    }
                }
                return .commit
            }
            return (ProjectionCheck(events: events, tables: tables, rows: rows), Array(problems.prefix(problemLimit)))
        }
    }
}

extension EventStore {
    /// An SQLite URI opening `path` read-only (Debian's SQLite accepts URI filenames in ATTACH; `verify`
    /// checks that it did): `?`, `#` and `%` in the path are percent-encoded, as URIs require.
    static func readOnlyURI(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path) + "?mode=ro"
    }
}

/// Compares one projection table of the store (`store.T`) with its replay (`main.T`).
private struct ProjectionComparison {
    let db: Database
    let table: String
    let logSize: Int

    func storeHasTable() throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT COUNT(*) > 0 FROM store.sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) == true
    }

    func differences(limit: Int) throws -> [IntegrityProblem] {
        guard try storeHasTable() else {
            // Projections that were never built are not missing; ones that cover events are.
            return logSize == 0 ? [] : [problem("the projection table \(table) is missing from the store")]
        }
        let keyColumns = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", arguments: [table])
            .map { $0[0] as String }
        let key = keyColumns.isEmpty ? "rowid" : keyColumns.joined(separator: ", ")
        var found: [IntegrityProblem] = []
        do {
            for (left, right, what) in [("store", "main", "holds a row the log does not produce (edited or inserted outside Custody)"),
                                         ("main", "store", "lacks or changed a row the log produces (edited or deleted outside Custody)")] {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT \(key) FROM (SELECT * FROM \(left).\(table) EXCEPT SELECT * FROM \(right).\(table)) LIMIT ?
                    """, arguments: [limit])
                for row in rows {
                    let values = zip(keyColumns.isEmpty ? ["rowid"] : keyColumns, row.databaseValues).map { "\($0) = \($1)" }
                    found.append(problem("the projection table \(table), row (\(values.joined(separator: ", "))): the store \(what)"))
                }
                // An edited row shows on both sides; name it once.
                if !found.isEmpty { break }
            }
        } catch let error as DatabaseError {
            found.append(problem("the projection table \(table) does not have the shape the log produces: \(error.message ?? "\(error)")"))
        }
        return found
    }

    private func problem(_ message: String) -> IntegrityProblem {
        IntegrityProblem(kind: "projection-mismatch", location: 0..<logSize, message: message + "; run 'custody rebuild' after keeping the file as evidence")
    }
}
