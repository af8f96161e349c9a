public import Foundation
import CustodyModel
import GRDB

extension EventStore {
    /// The log's size and its root, from the stored nodes.
    public func head() throws(LogError) -> (size: Int, root: SHA256Hash) {
        do {
            return try queue.read { db in
                let size = try Self.logSize(db)
                return (size, try MerkleProofs(reader: SQLiteNodeReader(db: db)).root(size: size))
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// The number of events in the log: the sequence number the next one gets.
    static func logSize(_ db: Database) throws -> Int {
        (try Int.fetchOne(db, sql: "SELECT MAX(seq) + 1 FROM log_entry")) ?? 0
    }

    /// Up to `limit` recorded events from sequence number `from` on.
    public func entries(from: Int = 0, limit: Int = 100) throws(LogError) -> [LogEntry] {
        do {
            let leaves = try queue.read { db in
                try Data.fetchAll(db, sql: "SELECT leaf FROM log_entry WHERE seq >= ? ORDER BY seq LIMIT ?", arguments: [from, limit])
            }
            return try leaves.map { data throws(LogError) in try LogEntry(leaf: Array(data)) }
        } catch { throw Self.translate(error, path: path) }
    }

    /// The root of the tree of the first `size` events.
    public func root(size: Int) throws(LogError) -> SHA256Hash {
        do {
            return try queue.read { db in
                let logSize = try Self.logSize(db)
                guard size <= logSize else { throw LogError(.invalidInput, "the log has only \(logSize) events, not \(size)") }
                return try MerkleProofs(reader: SQLiteNodeReader(db: db)).root(size: size)
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// The checkpoint `signCheckpoint` stored last by `date` (of all when `date` is nil).
    public func newestCheckpoint(storedBy date: Date? = nil) throws(LogError) -> StoredCheckpoint? {
        do {
            return try queue.read { db in
                let row = try Row.fetchOne(db, sql: """
                    SELECT tree_size, note, created_at FROM checkpoint WHERE ? IS NULL OR created_at <= ? ORDER BY tree_size DESC LIMIT 1
                    """, arguments: [date.map(RFC3339.format), date.map(RFC3339.format)])
                return row.map { StoredCheckpoint(treeSize: $0[0], note: $0[1], storedAt: $0[2]) }
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// Calls `body` with every recorded event of `range`, in sequence order, as `prepare` makes it of the
    /// entry and its leaf hash. The log is read a page at a time, so memory stays flat however long the
    /// range, and each page is parsed and prepared on another thread while `body` takes the page before it.
    public func forEachEntry<Prepared: Sendable>(in range: Range<Int>, preparing prepare: @escaping @Sendable (LogEntry, SHA256Hash) -> Prepared,
                                                 _ body: (Prepared) throws -> Void) throws {
        var next = range.lowerBound
        var preparing: Aside<[Prepared]>?
        repeat {
            let page = try leaves(from: next, before: range.upperBound)
            next = page.last.map { $0.seq + 1 } ?? range.upperBound
            let following = page.isEmpty ? nil : Aside { () throws(LogError) -> [Prepared] in
                try page.map { row throws(LogError) in
                    let entry = try LogEntry(leaf: row.leaf)
                    guard entry.seq == row.seq, let leafHash = SHA256Hash(bytes: row.hash) else {
                        throw LogError(.integrity, "the leaf or leaf hash of event \(row.seq) is damaged; run 'custody verify' to see what changed")
                    }
                    return prepare(entry, leafHash)
                }
            }
            if let done = preparing {
                for prepared in try done.get() { try body(prepared) }
                // A page of parsed events is thousands of objects; freeing them here held up the reader.
                preparing = nil
                releaseInBackground(consume done)
            }
            preparing = following
        } while preparing != nil
    }

    /// Events per page of `forEachEntry`.
    private static let entriesPerPage = 2_048

    /// The stored leaves and leaf hashes of up to a page of events from `seq` on (before `end`).
    private func leaves(from seq: Int, before end: Int) throws(LogError) -> [(seq: Int, leaf: [UInt8], hash: [UInt8])] {
        guard seq < end else { return [] }
        do {
            return try queue.read { db in
                let statement = try RawStatement(cached: db, sql: "SELECT seq, leaf, leaf_hash FROM log_entry WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?")
                var rows: [(seq: Int, leaf: [UInt8], hash: [UInt8])] = []
                rows.reserveCapacity(Self.entriesPerPage)
                try statement.forEachRow(.integer(seq), .integer(end), .integer(Self.entriesPerPage)) {
                    rows.append((statement.int(0), Array(statement.blob(1)), Array(statement.blob(2))))
                }
                return rows
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// The sequence numbers of the events recorded in `[from, to)` (recorded time; either bound open when nil).
    public func sequenceRange(recordedFrom from: Date?, to: Date?) throws(LogError) -> Range<Int> {
        do {
            return try queue.read { db in
                let lower = try from.map { date in
                    try Int.fetchOne(db, sql: "SELECT MIN(first_seq) FROM log_batch WHERE recorded_at >= ?", arguments: [RFC3339.format(date)])
                        ?? Self.logSize(db)
                } ?? 0
                let upper = try to.map { date in
                    try Int.fetchOne(db, sql: "SELECT MAX(first_seq + event_count) FROM log_batch WHERE recorded_at < ?", arguments: [RFC3339.format(date)]) ?? 0
                } ?? Self.logSize(db)
                return lower..<max(lower, upper)
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// The RFC 9162 inclusion proof of event `seq` in the tree of `size` events, and that tree's root.
    public func inclusionProof(seq: Int, size: Int) throws(LogError) -> (proof: [SHA256Hash], leafHash: SHA256Hash, root: SHA256Hash) {
        let (proofs, root) = try inclusionProofs(seqs: [seq], size: size)
        return (proofs[0].proof, proofs[0].leafHash, root)
    }

    /// The inclusion proofs of several events in the tree of `size` events, in the order of `seqs`, and that
    /// tree's root: one read, and the nodes proofs share (the upper ones) are read once.
    public func inclusionProofs(seqs: [Int], size: Int) throws(LogError) -> (proofs: [(proof: [SHA256Hash], leafHash: SHA256Hash)], root: SHA256Hash) {
        do {
            return try queue.read { db in
                let proofs = MerkleProofs(reader: SQLiteNodeReader(db: db, remembering: true))
                let logSize = try Self.logSize(db)
                guard size <= logSize else { throw LogError(.invalidInput, "the log has only \(logSize) events, not \(size)") }
                let each = try seqs.map { seq in (try proofs.inclusionProof(index: seq, size: size), try proofs.reader.node(level: 0, index: seq)) }
                return (each, try proofs.root(size: size))
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// The RFC 9162 consistency proof from the tree of `first` events to the tree of `second`.
    public func consistencyProof(first: Int, second: Int) throws(LogError) -> [SHA256Hash] {
        do {
            return try queue.read { db in
                let logSize = try Self.logSize(db)
                guard second <= logSize else { throw LogError(.invalidInput, "the log has only \(logSize) events, not \(second)") }
                return try MerkleProofs(reader: SQLiteNodeReader(db: db)).consistencyProof(first: first, second: second)
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// Signs a checkpoint of the log as it is now, stores it, and returns the signed note.
    ///
    /// The note covers only committed events: the read happens after the last commit returned, and
    /// with `synchronous=FULL` a commit that returned is durable.
    public func signCheckpoint(with signer: NoteSigner, at date: Date) throws(LogError) -> SignedNote {
        try checkSigner(signer)
        let origin = try origin()
        let (size, root) = try head()
        let note: SignedNote
        do { note = try signer.sign(Checkpoint(origin: origin, size: size, root: root).body) } catch {
            throw LogError(.key, "cannot sign the checkpoint: \(error)")
        }
        do {
            try queue.write { db in
                try db.execute(sql: "INSERT OR IGNORE INTO checkpoint (tree_size, note, created_at) VALUES (?, ?, ?)",
                    arguments: [size, note.serialized, RFC3339.format(date)])
            }
        } catch { throw Self.translate(error, path: path) }
        return note
    }
}
