import Foundation
import Dispatch
import GRDB

extension EventStore {
    /// Recomputes every leaf hash, the chain and the Merkle tree from the stored event bytes, compares
    /// them with what is stored, re-checks the stored checkpoints, and proves the log extends each of
    /// `checkpoints` (signed notes kept elsewhere, checked with `verifier`). When the log is intact, it
    /// then replays it through `projectors` into a scratch database and compares their tables row by row.
    ///
    /// - Throws: `LogError` with code `.invalidInput` for a checkpoint that does not parse or is for
    ///   another log, `.integrity` for one whose signature fails or a database SQLite cannot read.
    public func verify(checkpoints: [String] = [], verifier: NoteVerifier? = nil, problemLimit: Int = 20,
                       projectors: [any LogProjector] = []) throws(LogError) -> VerificationReport {
        let origin = try origin()
        let ownVerifier = try verifierKey()
        var external: [Checkpoint] = []
        for text in checkpoints {
            let note: SignedNote
            let checkpoint: Checkpoint
            do {
                note = try SignedNote(parsing: text)
                checkpoint = try Checkpoint(body: note.text)
            } catch {
                throw LogError(.invalidInput, "the checkpoint is not a signed checkpoint note: \(error)")
            }
            guard checkpoint.origin == origin else {
                throw LogError(.invalidInput, "the checkpoint is for the log '\(checkpoint.origin)', but this store is '\(origin)'")
            }
            do { try (verifier ?? ownVerifier).verify(note) } catch {
                throw LogError(.integrity, "the checkpoint of size \(checkpoint.size) does not verify: \(error)")
            }
            external.append(checkpoint)
        }
        external.sort { $0.size < $1.size }

        do {
            // SQLite's structural check of the other tables runs on its own connection, on the other
            // core, while this one rehashes the log. The log's own tables need none: every byte of them
            // is read and hashed, so damage there is either a read error or a hash mismatch.
            let structure = StructureCheck(path: path)
            var report = try queue.read { db in
                var verification = Verification(db: db, ownVerifier: ownVerifier, external: external, problemLimit: problemLimit)
                return try verification.run()
            }
            let damage = try structure.result()
            if damage != ["ok"] {
                report = report.adding(IntegrityProblem(kind: "database-damaged", location: 0..<0,
                    message: "SQLite finds the store file damaged: \(damage.prefix(3).joined(separator: "; "))"))
            }
            if report.isIntact && !projectors.isEmpty {
                let (check, problems) = try compareProjections(projectors, problemLimit: problemLimit)
                report.projections = check
                report = report.adding(problems)
            }
            return report
        } catch {
            throw Self.translate(error, path: path)
        }
    }
}

/// One verification pass over the log in sequence order, rebuilding the Merkle tree and taking its root
/// at every size a batch or checkpoint names.
private struct Verification {
    let db: Database
    let ownVerifier: NoteVerifier
    let external: [Checkpoint]
    let problemLimit: Int
    var problems: [IntegrityProblem] = []

    /// Compares the subtree roots a leaf completed with those stored in its row.
    mutating func checkNodes(_ completed: [MerkleNode], stored: [UInt8], seq: Int) {
        guard stored.count == completed.count * 32 else {
            report("node-missing", seq..<(seq + 1), "event \(seq): its row stores \(stored.count / 32) Merkle nodes where the tree completes \(completed.count)")
            return
        }
        for (index, node) in completed.enumerated() where !node.hash.matches(stored[(index * 32)..<(index * 32 + 32)]) {
            let covered = (node.lastLeaf + 1 - (1 << node.level))..<(node.lastLeaf + 1)
            if !problems.contains(where: { $0.location.overlaps(covered) }) {
                report("node-mismatch", covered, "the stored Merkle node over events \(covered.lowerBound)–\(covered.upperBound - 1) does not match the events")
            }
        }
    }

    mutating func report(_ kind: String, _ location: Range<Int>, _ message: String) {
        if problems.count < problemLimit {
            problems.append(IntegrityProblem(kind: kind, location: location, message: message))
        }
    }

    mutating func run() throws -> VerificationReport {
        var batches: [(id: String, size: Int, root: Data)] = []
        for row in try Row.fetchAll(db, sql: "SELECT batch_id, first_seq, event_count, tree_size, root FROM log_batch ORDER BY tree_size") {
            let size: Int = row["tree_size"]
            batches.append((row["batch_id"], size, row["root"]))
            if row["first_seq"] as Int + row["event_count"] as Int != size {
                report("batch-mismatch", size..<size, "the batch record \(row["batch_id"] as String) does not add up (first event + count ≠ tree size)")
            }
        }
        var stored: [(size: Int, note: String)] = []
        for row in try Row.fetchAll(db, sql: "SELECT tree_size, note FROM checkpoint ORDER BY tree_size") {
            stored.append((row[0], row[1]))
        }
        let wanted = Set(batches.map(\.size) + stored.map(\.size) + external.map(\.size))
        var rootsAt: [Int: SHA256Hash] = [0: MerkleHashing.emptyRoot]

        var range = CompactRange()
        var expected = 0
        // A reader thread reads and hashes the next chunk while this one checks the current chunk's
        // order and Merkle tree: the only SQLite calls of the loop happen on the reader.
        let reader = try VerificationReader(db)
        var nextChunk = reader.readAsync(previousChain: .zero)
        while let chunk = try nextChunk.wait() {
            if let last = chunk.storedChains.last {
                nextChunk = reader.readAsync(previousChain: last ?? .zero)
            } else {
                nextChunk = .finished
            }
            let hashed = chunk.hashed
            for row in chunk.seqs.indices {
                let seq = chunk.seqs[row]
                let (leafHash, claimed, chainHolds) = hashed[row]
                if seq != expected {
                    if seq > expected {
                        report("missing-event", expected..<seq, seq - expected == 1
                            ? "event \(expected) is missing: the row was deleted"
                            : "events \(expected)–\(seq - 1) are missing: rows were deleted")
                    } else {
                        report("sequence-disorder", seq..<(seq + 1), "event \(seq) appears out of order")
                    }
                }
                if claimed != seq {
                    report("sequence-mismatch", seq..<(seq + 1),
                        "event \(seq): its record says it is event \(claimed.map(String.init) ?? "?"); rows were moved, swapped or inserted")
                }
                if leafHash != chunk.storedLeafHashes[row] {
                    report("leaf-hash-mismatch", seq..<(seq + 1), "event \(seq): its bytes do not match its stored leaf hash; the event was changed")
                }
                // Each link is checked against the stored link before it, so one edit is reported once,
                // not at every later event.
                if !chainHolds {
                    report("chain-mismatch", seq..<(seq + 1), "event \(seq): the hash chain breaks here")
                }
                checkNodes(range.append(leafHash), stored: chunk.storedNodes[row], seq: seq)
                expected = seq + 1
                if wanted.contains(range.size) { rootsAt[range.size] = range.root }
            }
        }
        let size = range.size

        for batch in batches {
            if let root = rootsAt[batch.size], root.data != batch.root {
                report("batch-root-mismatch", batch.size..<batch.size, "the root recorded for batch \(batch.id) (size \(batch.size)) does not match the events")
            } else if batch.size > size {
                report("truncated", size..<batch.size, "batch \(batch.id) ended at size \(batch.size), but the log has only \(size) events: events \(size)–\(batch.size - 1) are gone")
            }
        }
        var lastGoodStored = 0
        for checkpoint in stored {
            if checkStored(checkpoint.note, size: checkpoint.size, logSize: size, rootsAt: rootsAt, since: lastGoodStored) {
                lastGoodStored = checkpoint.size
            }
        }
        checkExternal(logSize: size, rootsAt: rootsAt)
        // Problems located to one event come first, in sequence order: the first of them is "the first bad
        // sequence number". Problems only located to an interval follow.
        problems.sort { ($0.location.count > 1 ? 1 : 0, $0.location.lowerBound) < ($1.location.count > 1 ? 1 : 0, $1.location.lowerBound) }
        return VerificationReport(size: size, root: range.root, problems: problems,
            externalCheckpointSizes: external.map(\.size), storedCheckpoints: stored.count)
    }

    /// Re-verifies a checkpoint stored in the database; returns whether the log still matches it.
    private mutating func checkStored(_ text: String, size: Int, logSize: Int, rootsAt: [Int: SHA256Hash], since lastGood: Int) -> Bool {
        guard let note = try? SignedNote(parsing: text), let checkpoint = try? Checkpoint(body: note.text),
            checkpoint.size == size, (try? ownVerifier.verify(note)) != nil
        else {
            report("stored-checkpoint-invalid", size..<size, "the checkpoint stored for size \(size) is damaged or its signature does not verify")
            return false
        }
        if size > logSize {
            report("truncated", logSize..<size, "a stored checkpoint covers \(size) events but the log has \(logSize): events \(logSize)–\(size - 1) are gone")
            return false
        }
        if rootsAt[size] != checkpoint.root {
            report("stored-checkpoint-mismatch", lastGood..<size,
                "the log does not match the checkpoint it stored for size \(size): history changed among events \(lastGood)–\(size - 1)")
            return false
        }
        return true
    }

    /// Locates a rewrite between the largest checkpoint the log still matches and the first it does not.
    private mutating func checkExternal(logSize: Int, rootsAt: [Int: SHA256Hash]) {
        var lastGood = 0
        for checkpoint in external {
            if checkpoint.size > logSize {
                report("truncated", logSize..<checkpoint.size,
                    "the log has \(logSize) events, but a checkpoint kept elsewhere covers \(checkpoint.size): events \(logSize)–\(checkpoint.size - 1) were removed")
                return
            }
            if rootsAt[checkpoint.size] == checkpoint.root {
                lastGood = checkpoint.size
                continue
            }
            report("checkpoint-mismatch", lastGood..<checkpoint.size,
                "the log does not extend the checkpoint of size \(checkpoint.size): history was rewritten among events \(lastGood)–\(checkpoint.size - 1)")
            return
        }
    }
}

/// Rows of the log read for verification, with their leaves hashed and chain links checked on both
/// cores.
private struct EntryChunk: Sendable {
    static let capacity = 4096

    /// The stored chain link of the row before the chunk (zero before the first event).
    let previousChain: SHA256Hash
    var seqs: [Int] = []
    var leaves: [[UInt8]] = []
    var storedLeafHashes: [SHA256Hash?] = []
    var storedChains: [SHA256Hash?] = []
    var storedNodes: [[UInt8]] = []
    /// Per row: the leaf hash, the sequence number the record claims, and whether the stored chain link
    /// is `SHA-256(stored link before it ‖ leaf hash)`.
    var hashed: [(SHA256Hash, Int?, Bool)] = []

    init(previousChain: SHA256Hash) {
        self.previousChain = previousChain
    }

    mutating func append(seq: Int, leaf: UnsafeRawBufferPointer, storedLeafHash: UnsafeRawBufferPointer,
                         storedChain: UnsafeRawBufferPointer, storedNodes nodes: UnsafeRawBufferPointer) {
        seqs.append(seq)
        leaves.append(Array(leaf))
        storedLeafHashes.append(SHA256Hash(bytes: storedLeafHash))
        storedChains.append(SHA256Hash(bytes: storedChain))
        storedNodes.append(nodes.isEmpty ? [] : Array(nodes))
    }

    mutating func hashLeaves() {
        let chunk = self
        hashed = ParallelMap.map(count: leaves.count) { index in
            let leafHash = MerkleHashing.leafHash(bytes: chunk.leaves[index])
            let previous = index == 0 ? chunk.previousChain : (chunk.storedChains[index - 1] ?? .zero)
            let holds = chunk.storedChains[index] == MerkleHashing.chainLink(previous: previous, leafHash: leafHash)
            return (leafHash, LogEntry.claimedSeq(chunk.leaves[index]), holds)
        }
        leaves = []
    }
}

/// Reads the log chunk by chunk on a serial queue of its own. Only the reader touches the connection
/// while verification runs; the caller waits for each chunk before asking for the next.
private final class VerificationReader: @unchecked Sendable {
    // Invariant: the statement is used by one read at a time, on `queue`, and `readAsync` is called
    // again only after the previous read was waited for.
    private let entries: RawStatement
    private var moreEntries: Bool
    private let queue = DispatchQueue(label: "custody.verify.reader")

    init(_ db: Database) throws {
        entries = try RawStatement(db, sql: "SELECT seq, leaf, leaf_hash, chain_hash, nodes FROM log_entry ORDER BY seq")
        moreEntries = try entries.step()
    }

    /// A chunk being read: `wait()` returns it, or `nil` after the last.
    struct Pending {
        fileprivate let box: ResultBox?

        static let finished = Pending(box: nil)

        func wait() throws -> EntryChunk? {
            guard let box else { return nil }
            return try box.wait()
        }
    }

    func readAsync(previousChain: SHA256Hash) -> Pending {
        guard moreEntries else { return .finished }
        let box = ResultBox()
        queue.async(group: box.group) { [self] in
            box.result = Result { try read(previousChain: previousChain) }
        }
        return Pending(box: box)
    }

    private func read(previousChain: SHA256Hash) throws -> EntryChunk {
        var chunk = EntryChunk(previousChain: previousChain)
        while moreEntries && chunk.seqs.count < EntryChunk.capacity {
            chunk.append(seq: entries.int(0), leaf: entries.blob(1), storedLeafHash: entries.blob(2), storedChain: entries.blob(3),
                storedNodes: entries.blob(4))
            moreEntries = try entries.step()
        }
        chunk.hashLeaves()
        return chunk
    }

    fileprivate final class ResultBox: @unchecked Sendable {
        // Invariant: `result` is written on the reader's queue inside `group`, read after `group.wait()`.
        var result: Result<EntryChunk, any Error>?
        let group = DispatchGroup()

        func wait() throws -> EntryChunk {
            group.wait()
            return try result!.get()
        }
    }
}

/// `PRAGMA quick_check` of every table but the log's, on a connection of its own, started at once and
/// awaited with `result()`.
private final class StructureCheck: @unchecked Sendable {
    // Invariant: `outcome` is written once by the background task before `group` is left, and read only
    // after `group.wait()`.
    private var outcome: Result<[String], any Error> = .success([])
    private let group = DispatchGroup()

    init(path: String) {
        DispatchQueue.global().async(group: group) { [self] in
            outcome = Result {
                var configuration = Configuration()
                configuration.readonly = true
                let connection = try DatabaseQueue(path: path, configuration: configuration)
                defer { try? connection.close() }
                return try connection.read { db in
                    let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type = 'table' AND name != 'log_entry' ORDER BY name")
                    let problems = try tables.flatMap { table in
                        try String.fetchAll(db, sql: "PRAGMA quick_check(\(table.quotedDatabaseIdentifier))").filter { $0 != "ok" }
                    }
                    return problems.isEmpty ? ["ok"] : problems
                }
            }
        }
    }

    func result() throws -> [String] {
        group.wait()
        return try outcome.get()
    }
}
