public import CustodyModel
public import Foundation
import GRDB

extension EventStore {
    /// Appends a batch in one `BEGIN IMMEDIATE` transaction. `fill` receives a `BatchAppender` and
    /// appends events to it; if `fill` throws, nothing of the call is kept (no event, no node, no vault
    /// entry, no projection row).
    ///
    /// - Parameters:
    ///   - recordedAt: the time recorded for every event of the batch (from the caller's clock).
    ///   - batchID: a fresh identifier for the batch.
    ///   - random: where subject tokens come from.
    public func append<Random: RandomNumberGenerator>(
        recordedAt: Date,
        batchID: UUID,
        vaultKey: VaultKey,
        random: inout Random,
        projectors: [any LogProjector] = [],
        _ fill: (BatchAppender) throws -> Void
    ) throws -> BatchReceipt {
        try checkVaultKey(vaultKey)
        var generator: any RandomNumberGenerator = random
        // Hand the advanced generator back, so a seeded caller never draws the same token twice.
        defer { if let advanced = generator as? Random { random = advanced } }
        do {
            return try queue.writeWithoutTransaction { db in
                var receipt: BatchReceipt?
                try db.inTransaction(.immediate) {
                    let appender = try BatchAppender(
                        db: db, batchID: batchID.uuidString.lowercased(), recordedAt: RFC3339.format(recordedAt),
                        vaultKey: vaultKey, generator: generator, projectors: projectors)
                    try fill(appender)
                    receipt = try appender.finish()
                    generator = appender.generator
                    return .commit
                }
                return receipt!
            }
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }
}

/// Appends events inside one transaction: tokenises subjects, canonicalises, hashes, chains, extends
/// the Merkle tree and calls the projectors. Only valid inside `EventStore.append`'s closure.
public final class BatchAppender {
    let db: Database
    let batchID: String
    let recordedAt: String
    let vaultKey: VaultKey
    var generator: any RandomNumberGenerator
    let projectors: [any LogProjector]
    private let projectionDatabase: ProjectionDatabase

    private var range: CompactRange
    private var chain: SHA256Hash
    private let firstSeq: Int
    private var count = 0
    private var newSubjects = 0
    private var tokenCache: [String: String] = [:]
    private let insertEntry: RawStatement
    private let insertNode: RawStatement
    private let findToken: Statement
    private let insertToken: Statement

    init(db: Database, batchID: String, recordedAt: String, vaultKey: VaultKey,
         generator: any RandomNumberGenerator, projectors: [any LogProjector]) throws {
        self.db = db
        self.batchID = batchID
        self.recordedAt = recordedAt
        self.vaultKey = vaultKey
        self.generator = generator
        self.projectors = projectors
        let head = try LogHead.read(db)
        range = head.range
        chain = head.chain
        firstSeq = head.range.size
        insertEntry = try RawStatement(db, sql: "INSERT INTO log_entry (seq, leaf, leaf_hash, chain_hash) VALUES (?, ?, ?, ?)")
        insertNode = try RawStatement(db, sql: "INSERT INTO merkle_node (last_leaf, level, hash) VALUES (?, ?, ?)")
        findToken = try db.makeStatement(sql: "SELECT token FROM vault WHERE lookup = ?")
        insertToken = try db.makeStatement(sql: "INSERT INTO vault (lookup, token) VALUES (?, ?)")
        projectionDatabase = ProjectionDatabase(
            execute: { sql, arguments in try db.execute(sql: sql, arguments: StatementArguments(arguments)) },
            query: { sql, arguments in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                    (0..<row.count).map { row[$0] as String? }
                }
            })
        for projector in projectors { try projector.prepare(projectionDatabase) }
    }

    /// The sequence number the next appended event gets.
    public var nextSeq: Int { range.size }

    /// What preparing an event needs to know of the batch; it needs no database, so it can run on other
    /// threads while this appender writes.
    public var preparation: EventPreparation {
        EventPreparation(batchID: batchID, recordedAt: recordedAt, keepsEvent: !projectors.isEmpty)
    }

    /// Appends one validated event; returns its sequence number.
    @discardableResult
    public func append(_ event: ValidatedEvent) throws -> Int {
        try append(preparation.prepare(event, seq: nextSeq))
    }

    /// Appends an event prepared (possibly on another thread) for the sequence number it will get.
    @discardableResult
    public func append(_ prepared: PreparedEvent) throws -> Int {
        let seq = range.size
        let leaf: [UInt8]
        let leafHash: SHA256Hash
        if let sealed = prepared.sealed, sealed.seq == seq {
            (leaf, leafHash) = (sealed.leaf, sealed.leafHash)
        } else {
            // Events naming subjects are sealed here: their tokens come from the vault, in this transaction.
            guard let event = prepared.event else {
                throw LogError.internalInconsistency("an event prepared for sequence number \(prepared.sealed?.seq ?? -1) was appended as \(seq)")
            }
            let tokenised = try event.replacingSubjects { identifier in try token(for: identifier) }
            leaf = try EventPreparation.leaf(seq: seq, batchID: batchID, recordedAt: recordedAt, event: tokenised, notes: event.notes)
            leafHash = MerkleHashing.leafHash(bytes: leaf)
        }
        chain = MerkleHashing.chainLink(previous: chain, leafHash: leafHash)
        let link = chain
        try leaf.withUnsafeBytes { leafBytes in
            try leafHash.withUnsafeBytes { hashBytes in
                try link.withUnsafeBytes { chainBytes in
                    try insertEntry.execute(.integer(seq), .bytes(leafBytes), .bytes(hashBytes), .bytes(chainBytes))
                }
            }
        }
        for node in range.append(leafHash) {
            try node.hash.withUnsafeBytes { try insertNode.execute(.integer(node.lastLeaf), .integer(node.level), .bytes($0)) }
        }
        count += 1
        if !projectors.isEmpty, let event = prepared.event {
            let tokenised = try event.replacingSubjects { identifier in try token(for: identifier) }
            let appended = AppendedEvent(seq: seq, batchID: batchID, kind: event.kind, event: tokenised)
            for projector in projectors { try projector.project(appended, into: projectionDatabase) }
        }
        return seq
    }

    /// The subject's token, from the vault or newly drawn and recorded there in this transaction.
    private func token(for identifier: SubjectIdentifier) throws -> String {
        if let cached = tokenCache[identifier.normalized] { return cached }
        let lookup = Data(vaultKey.lookup(identifier.normalized))
        let token: String
        if let existing = try String.fetchOne(findToken, arguments: [lookup]) {
            token = existing
        } else {
            token = SubjectToken.generate(using: &generator)
            try insertToken.execute(arguments: [lookup, token])
            newSubjects += 1
        }
        tokenCache[identifier.normalized] = token
        return token
    }

    func finish() throws -> BatchReceipt {
        let root = range.root
        if count > 0 {
            try db.execute(
                sql: "INSERT INTO log_batch (batch_id, first_seq, event_count, recorded_at, tree_size, root) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [batchID, firstSeq, count, recordedAt, range.size, root.data])
        }
        return BatchReceipt(batchID: batchID, firstSeq: firstSeq, eventCount: count, treeSize: range.size, root: root, newSubjects: newSubjects)
    }
}

/// The part of appending that needs no database: canonical JSON, the leaf record and its hash, for an
/// event that names no subject. Pure, so ingest runs it on other cores.
public struct EventPreparation: Sendable {
    let batchID: String
    let recordedAt: String
    /// Whether projectors will need the event after it is sealed.
    let keepsEvent: Bool

    /// Prepares `event` to be appended as sequence number `seq`.
    public func prepare(_ event: ValidatedEvent, seq: Int) throws(LogError) -> PreparedEvent {
        let summary = PreparedEvent.Summary(kind: event.kind, hasNotes: !event.notes.isEmpty)
        guard event.subjectCount == 0 else { return PreparedEvent(summary: summary, event: event, sealed: nil) }
        let leaf = try Self.leaf(seq: seq, batchID: batchID, recordedAt: recordedAt, event: event.json, notes: event.notes)
        // Without projectors the parsed event is not needed any more: let it be freed on this thread, not
        // on the one that writes.
        return PreparedEvent(summary: summary, event: keepsEvent ? event : nil, sealed: (seq, leaf, MerkleHashing.leafHash(bytes: leaf)))
    }

    static func leaf(seq: Int, batchID: String, recordedAt: String, event: JSONValue, notes: [String]) throws(LogError) -> [UInt8] {
        do {
            return try LogEntry.preimage(seq: seq, batchID: batchID, recordedAt: recordedAt, event: event, notes: notes)
        } catch {
            throw LogError(.invalidInput, "the number \(error.literal) is not a finite double, which canonical JSON (RFC 8785) cannot hold")
        }
    }
}

/// A validated event with the work done that needs no database: for an event that names no subject,
/// its leaf record and hash for the sequence number it was prepared for.
public struct PreparedEvent: Sendable {
    /// What the ingest summary counts.
    public struct Summary: Sendable {
        public let kind: EventKind
        public let hasNotes: Bool
    }

    public let summary: Summary
    /// The validated event, kept unless it was sealed and no projector needs it.
    let event: ValidatedEvent?
    let sealed: (seq: Int, leaf: [UInt8], leafHash: SHA256Hash)?
}

/// Random subject tokens: `subj_` and 26 base32 characters (128 bits), unrelated to the identifier.
enum SubjectToken {
    static func generate(using generator: inout any RandomNumberGenerator) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var value = (UInt64.random(in: .min ... .max, using: &generator), UInt64.random(in: .min ... .max, using: &generator))
        var characters: [Character] = []
        for _ in 0..<26 {
            characters.append(alphabet[Int(value.0 & 31)])
            value.0 = (value.0 >> 5) | (value.1 << 59)
            value.1 >>= 5
        }
        return "subj_" + String(characters)
    }
}

/// The log's current head, read at the start of a batch: its size, its last chain link and the peaks of
/// its Merkle tree.
struct LogHead {
    let range: CompactRange
    let chain: SHA256Hash

    static func read(_ db: Database) throws -> LogHead {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, chain_hash FROM log_entry ORDER BY seq DESC LIMIT 1") else {
            return LogHead(range: CompactRange(), chain: .zero)
        }
        let size = (row[0] as Int) + 1
        let reader = SQLiteNodeReader(db: db)
        let peaks = try CompactRange.peakPositions(size: size).map { try reader.node(level: $0.level, index: $0.index) }
        guard let range = CompactRange(size: size, peaks: peaks), let chain = SHA256Hash(bytes: Array(row[1] as Data)) else {
            throw LogError(.integrity, "the log's head cannot be read back; run 'custody verify'")
        }
        return LogHead(range: range, chain: chain)
    }
}

/// Reads perfect-subtree roots from the store: leaf hashes from `log_entry`, the rest from `merkle_node`.
struct SQLiteNodeReader: MerkleNodeReader {
    let db: Database

    func node(level: Int, index: Int) throws -> SHA256Hash {
        let data: Data?
        if level == 0 {
            data = try Data.fetchOne(db, sql: "SELECT leaf_hash FROM log_entry WHERE seq = ?", arguments: [index])
        } else {
            let lastLeaf = ((index + 1) << level) - 1
            data = try Data.fetchOne(db, sql: "SELECT hash FROM merkle_node WHERE last_leaf = ? AND level = ?", arguments: [lastLeaf, level])
        }
        guard let data, let hash = SHA256Hash(bytes: Array(data)) else {
            throw LogError(.integrity, "the stored Merkle node at level \(level), index \(index) is missing or damaged; run 'custody verify'")
        }
        return hash
    }
}
