package import GRDB

/// One INSERT for many rows: rows are gathered and written `rowsPerStatement` at a time through a statement
/// with that many `VALUES` tuples, so SQLite starts and ends its program once for them all rather than once
/// a row. What is gathered is not in the table until `flush()`: a reader of the table in the same transaction
/// flushes first. Values must not lend memory (`.bytes`): they are bound later.
package final class BatchedInsert {
    private let single: RawStatement
    private let batch: RawStatement
    private let columns: Int
    private let rowsPerStatement: Int
    private var gathered: [RawStatement.RawValue] = []

    /// What a row that breaks a constraint does. Never SQLite's default, ABORT: to undo a statement of many rows
    /// alone, SQLite first copies every page it changes to a temporary file (the statement journal; 193 MB for a
    /// `rebuild` of the benchmark). Batches are written inside a transaction that is rolled back whole when
    /// anything in it fails, so undoing one statement alone protects nothing.
    package enum Conflict: String {
        /// The statement stops with the error, keeping the rows it wrote before (until the rollback).
        case fail = "OR FAIL"
        /// The row is skipped.
        case ignore = "OR IGNORE"
    }

    /// Rows into `table`, each a value for every one of `columns`, in that order (`append`).
    package init(_ db: Database, into table: String, columns names: [String], onConflict conflict: Conflict, rowsPerStatement: Int = 32) throws {
        let insert = "INSERT \(conflict.rawValue) INTO \(table) (\(names.joined(separator: ", "))) VALUES "
        let row = "(" + Array(repeating: "?", count: names.count).joined(separator: ", ") + ")"
        single = try RawStatement(cached: db, sql: insert + row)
        batch = try RawStatement(cached: db, sql: insert + Array(repeating: row, count: rowsPerStatement).joined(separator: ", "))
        columns = names.count
        self.rowsPerStatement = rowsPerStatement
        gathered.reserveCapacity(columns * rowsPerStatement)
    }

    /// Gathers one row, writing the gathered ones when there are enough.
    package func append(_ values: RawStatement.RawValue...) throws {
        precondition(values.count == columns, "a row of \(values.count) values for \(columns) columns")
        assert(!values.contains { if case .bytes = $0 { true } else { false } }, "bytes lent to a row bound later")
        gathered.append(contentsOf: values)
        guard gathered.count == columns * rowsPerStatement else { return }
        try batch.execute(gathered)
        gathered.removeAll(keepingCapacity: true)
    }

    /// Writes every gathered row.
    package func flush() throws {
        var start = 0
        while start < gathered.count {
            try single.execute(Array(gathered[start..<(start + columns)]))
            start += columns
        }
        gathered.removeAll(keepingCapacity: true)
    }
}
