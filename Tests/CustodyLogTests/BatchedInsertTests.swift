@testable import CustodyLog
import GRDB
import Testing

/// `BatchedInsert` writes the lineage tables' rows many to a statement. Its rows must all arrive, and a row that
/// breaks a key must fail the transaction it is in without leaving anything behind, although its statement is
/// not undone on its own (`OR FAIL`, which spares SQLite a statement journal).
struct BatchedInsertTests {
    private static func table(_ db: Database) throws {
        try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY NOT NULL, v TEXT NOT NULL) STRICT")
    }

    @Test func rowsArriveInWholeStatementsAndTheRestAtFlush() throws {
        let queue = try DatabaseQueue()
        let rows = try queue.write { db in
            try Self.table(db)
            let insert = try BatchedInsert(db, into: "t", columns: ["k", "v"], onConflict: .fail, rowsPerStatement: 2)
            for k in 1...5 { try insert.append(.integer(k), .text("row \(k)")) }
            // Two statements of two rows; the fifth waits for the flush.
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") == 4)
            try insert.flush()
            return try String.fetchAll(db, sql: "SELECT v FROM t ORDER BY k")
        }
        #expect(rows == (1...5).map { "row \($0)" })
    }

    @Test func aBrokenKeyFailsAndItsTransactionKeepsNoneOfTheRows() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in try Self.table(db) }
        var keptBeforeRollback: Int?
        #expect(throws: DatabaseError.self) {
            try queue.write { db in
                let insert = try BatchedInsert(db, into: "t", columns: ["k", "v"], onConflict: .fail, rowsPerStatement: 4)
                do {
                    // The third row repeats the first key: the statement of four stops there.
                    for k in [1, 2, 1, 3] { try insert.append(.integer(k), .text("row \(k)")) }
                } catch {
                    // OR FAIL keeps what the statement wrote before the broken row; only the rollback takes it away.
                    keptBeforeRollback = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t")
                    throw error
                }
            }
        }
        #expect(keptBeforeRollback == 2)
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") } == 0)
    }

    @Test func orIgnoreSkipsARepeatedRow() throws {
        let queue = try DatabaseQueue()
        let rows = try queue.write { db in
            try Self.table(db)
            let insert = try BatchedInsert(db, into: "t", columns: ["k", "v"], onConflict: .ignore, rowsPerStatement: 3)
            for (k, v) in [(1, "first"), (2, "second"), (1, "again")] { try insert.append(.integer(k), .text(v)) }
            try insert.flush()
            return try String.fetchAll(db, sql: "SELECT v FROM t ORDER BY k")
        }
        #expect(rows == ["first", "second"])
    }
}
