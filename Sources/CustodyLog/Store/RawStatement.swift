import CSQLite
package import GRDB

/// A statement driven through the SQLite C API on GRDB's connection, for the places where GRDB's
/// per-statement overhead shows: verification reads every event and hashes its bytes in place, appends
/// write every event and node, and the lineage projections and graph queries run a handful of
/// statements per event or per hop. Only valid inside the `read` or `write` closure that supplied `db`.
package final class RawStatement {
    private let statement: OpaquePointer
    private let db: Database
    /// Whether this object prepared the statement (and finalises it), or borrows one of GRDB's cache.
    private let owned: Bool
    /// Keeps a borrowed statement alive while this object uses it.
    private let borrowed: Statement?

    package init(_ db: Database, sql: String) throws {
        self.db = db
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v2(db.sqliteConnection, sql, -1, &prepared, nil)
        guard code == SQLITE_OK, let prepared else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        statement = prepared
        owned = true
        borrowed = nil
    }

    /// The statement from the connection's cache, prepared once per connection: queries that run a few
    /// statements per answer would otherwise spend much of their time preparing them.
    package init(cached db: Database, sql: String) throws {
        self.db = db
        let cached = try db.cachedStatement(sql: sql)
        statement = cached.sqliteStatement
        borrowed = cached
        owned = false
    }

    deinit {
        if owned { sqlite3_finalize(statement) } else { reset() }
    }

    package enum RawValue {
        case integer(Int)
        case text(String)
        case null
        case bytes(UnsafeRawBufferPointer)
    }

    /// Advances to the next row; `false` after the last.
    package func step() throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw error(code)
        }
    }

    /// Runs the statement with `values` bound and resets it for the next use.
    package func execute(_ values: RawValue...) throws {
        try execute(values)
    }

    package func execute(_ values: some RandomAccessCollection<RawValue>) throws {
        try withBound(values) {
            let code = sqlite3_step(statement)
            guard code == SQLITE_DONE else { throw error(code) }
        }
    }

    /// Binds `values` to the parameters, for a query stepped with `step()`; `reset()` after the last row.
    package func bind(_ values: RawValue...) throws {
        try bind(values)
    }

    /// Runs a query with `values` bound, calling `row` for each result row, and resets it.
    package func forEachRow(_ values: RawValue..., row: () throws -> Void) throws {
        try forEachRow(values, row: row)
    }

    package func forEachRow(_ values: [RawValue], row: () throws -> Void) throws {
        try withBound(values) {
            while try step() { try row() }
        }
    }

    package func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    /// Runs `body` with `values` bound, then resets the statement and clears its bindings, all while the texts
    /// bound are still lent: SQLite reads them where they are (SQLITE_STATIC) instead of copying each into memory
    /// of its own and freeing it again (about 4 % of the writing thread's instructions in a rebuild).
    private func withBound<Result>(_ values: some RandomAccessCollection<RawValue>, _ body: () throws -> Result) throws -> Result {
        sqlite3_reset(statement)
        return try bind(values, from: 0, body)
    }

    /// Binds `values` from `index` on (each text inside the call that lends it), then runs `body`.
    private func bind<Values: RandomAccessCollection<RawValue>, Result>(_ values: Values, from offset: Int, _ body: () throws -> Result) throws -> Result {
        var offset = offset
        while offset < values.count {
            let position = Int32(offset + 1)
            let value = values[values.index(values.startIndex, offsetBy: offset)]
            if case .text(let text) = value {
                return try text.withCString { pointer in
                    _ = sqlite3_bind_text(statement, position, pointer, Int32(text.utf8.count), nil)
                    return try bind(values, from: offset + 1, body)
                }
            }
            bindNonText(value, at: position)
            offset += 1
        }
        defer { reset() }
        return try body()
    }

    /// Binds `values` for a statement stepped later, when the texts' lenders are gone: SQLite copies each text.
    private func bind(_ values: [RawValue]) throws {
        sqlite3_reset(statement)
        for (offset, value) in values.enumerated() {
            let position = Int32(offset + 1)
            guard case .text(let text) = value else {
                bindNonText(value, at: position)
                continue
            }
            // SQLITE_TRANSIENT (-1): SQLite copies the text, whose C string dies after the call. `withCString`
            // lends a short string from the stack, where passing the String itself copied it to the heap.
            text.withCString { pointer in
                _ = sqlite3_bind_text(statement, position, pointer, Int32(text.utf8.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            }
        }
    }

    /// Binds a value that is not a text (a text is bound where its C string is lent).
    private func bindNonText(_ value: RawValue, at position: Int32) {
        switch value {
        case .integer(let integer): sqlite3_bind_int64(statement, position, Int64(integer))
        case .null: sqlite3_bind_null(statement, position)
        case .text: preconditionFailure("a text is bound where its C string is lent")
        case .bytes(let buffer) where buffer.isEmpty:
            // A null pointer would bind NULL, not an empty blob.
            sqlite3_bind_zeroblob(statement, position, 0)
        case .bytes(let buffer):
            // SQLITE_STATIC: the buffer outlives the step that follows, and bindings are cleared after it.
            sqlite3_bind_blob(statement, position, buffer.baseAddress, Int32(buffer.count), nil)
        }
    }

    package func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(statement, column))
    }

    package func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(statement, column) == SQLITE_NULL
    }

    /// The column as text, or `nil` for NULL.
    package func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column's bytes, valid until the next `step`.
    package func blob(_ column: Int32) -> UnsafeRawBufferPointer {
        let start = sqlite3_column_blob(statement, column)
        return UnsafeRawBufferPointer(start: start, count: Int(sqlite3_column_bytes(statement, column)))
    }

    /// The row id of the last row this connection inserted.
    package var lastInsertedRowID: Int {
        Int(sqlite3_last_insert_rowid(db.sqliteConnection))
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }
}
