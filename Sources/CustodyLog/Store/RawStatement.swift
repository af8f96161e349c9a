import CSQLite
import GRDB

/// A statement driven through the SQLite C API on GRDB's connection, for the two places where GRDB's
/// per-row overhead shows: verification reads every event and hashes its bytes in place, and appends
/// write every event and node. Only valid inside the `read` or `write` closure that supplied `db`.
final class RawStatement {
    private let statement: OpaquePointer
    private let db: Database

    init(_ db: Database, sql: String) throws {
        self.db = db
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v2(db.sqliteConnection, sql, -1, &prepared, nil)
        guard code == SQLITE_OK, let prepared else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        statement = prepared
    }

    deinit {
        sqlite3_finalize(statement)
    }

    /// Advances to the next row; `false` after the last.
    func step() throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    /// Runs the statement with `values` bound (integers and byte buffers) and resets it for the next use.
    func execute(_ values: RawValue...) throws {
        try bind(values)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    /// Binds `values` to the parameters, for a query stepped with `step()`.
    func bind(_ values: RawValue...) throws {
        try bind(values)
    }

    private func bind(_ values: [RawValue]) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .integer(let integer): sqlite3_bind_int64(statement, index, Int64(integer))
            case .bytes(let buffer) where buffer.isEmpty:
                // A null pointer would bind NULL, not an empty blob.
                sqlite3_bind_zeroblob(statement, index, 0)
            case .bytes(let buffer):
                // SQLITE_STATIC: the buffer outlives the step that follows, and bindings are cleared after it.
                sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), nil)
            }
        }
    }

    enum RawValue {
        case integer(Int)
        case bytes(UnsafeRawBufferPointer)
    }

    func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(statement, column))
    }

    /// The column's bytes, valid until the next `step`.
    func blob(_ column: Int32) -> UnsafeRawBufferPointer {
        let start = sqlite3_column_blob(statement, column)
        return UnsafeRawBufferPointer(start: start, count: Int(sqlite3_column_bytes(statement, column)))
    }
}
