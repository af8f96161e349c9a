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

    /// - Parameter insert: the statement up to `VALUES`, naming what a broken constraint does: `INSERT OR FAIL
    ///   INTO t (a, b)` (the statement stops with the error) or `INSERT OR IGNORE INTO t (a, b)` (the row is skipped).
    ///   Not SQLite's default, ABORT: to undo a statement of many rows alone, SQLite first copies every page it
    ///   changes to a temporary file (the statement journal), 193 MB for a `rebuild` of the benchmark. Batches are
    ///   written inside a transaction that is rolled back whole when anything in it fails, so undoing one
    ///   statement alone protects nothing.
    package init(_ db: Database, insert: String, columns: Int, rowsPerStatement: Int = 32) throws {
        precondition(insert.hasPrefix("INSERT OR FAIL ") || insert.hasPrefix("INSERT OR IGNORE "),
                     "a batched insert names OR FAIL or OR IGNORE: \(insert)")
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        single = try RawStatement(cached: db, sql: insert + " VALUES " + row)
        batch = try RawStatement(cached: db, sql: insert + " VALUES " + Array(repeating: row, count: rowsPerStatement).joined(separator: ", "))
        self.columns = columns
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
