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
    /// The values gathered and not written yet, a statement's worth at most, in memory of the insert's own: a
    /// fill gathers every row of five tables, and an array per row, copied into another, was a twelfth of the
    /// writing thread's work.
    private let gathered: UnsafeMutablePointer<RawStatement.RawValue>
    private var count = 0

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
        gathered = .allocate(capacity: columns * rowsPerStatement)
    }

    deinit {
        gathered.deinitialize(count: count)
        gathered.deallocate()
    }

    /// One row being gathered: `add` a value for each column, in order.
    package struct Row: ~Copyable {
        fileprivate let values: UnsafeMutablePointer<RawStatement.RawValue>
        fileprivate let columns: Int
        fileprivate var added = 0

        package mutating func add(_ value: RawStatement.RawValue) {
            precondition(added < columns, "more values than the row's \(columns) columns")
            assert({ if case .bytes = value { false } else { true } }(), "bytes lent to a row bound later")
            (values + added).initialize(to: value)
            added += 1
        }
    }

    /// Gathers the row `fill` adds, writing the gathered ones when there are enough.
    package func append(_ fill: (inout Row) -> Void) throws {
        let start = count
        var row = Row(values: gathered + start, columns: columns)
        fill(&row)
        precondition(row.added == columns, "a row of \(row.added) values for \(columns) columns")
        count = start + columns
        guard count == columns * rowsPerStatement else { return }
        defer { clear() }
        try batch.execute(UnsafeBufferPointer(start: gathered, count: count))
    }

    /// Gathers one row of `values`.
    package func append(_ values: RawStatement.RawValue...) throws {
        try append { row in for value in values { row.add(value) } }
    }

    /// Writes every gathered row.
    package func flush() throws {
        defer { clear() }
        var start = 0
        while start < count {
            try single.execute(UnsafeBufferPointer(start: gathered + start, count: columns))
            start += columns
        }
    }

    private func clear() {
        gathered.deinitialize(count: count)
        count = 0
    }
}
