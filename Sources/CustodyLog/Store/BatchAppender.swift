public import CustodyModel
import Foundation
import GRDB

/// Appends events inside one transaction: tokenises subjects, canonicalises, hashes, chains, extends
/// the Merkle tree and calls the projectors. Only valid inside `EventStore.append`'s closure.
public final class BatchAppender {
    let db: Database
    let batchID: String
    let recordedAt: String
    let vaultKey: VaultKey
    var generator: any RandomNumberGenerator
    let projectors: [any LogProjector]
    private let writers: [any ProjectionWriter]

    private var range: CompactRange
    private var chain: SHA256Hash
    private let firstSeq: Int
    private var count = 0
    private var newSubjects = 0
    /// Vault tokens by normalised identifier.
    var tokenCache: [String: String] = [:]
    /// The tokens sealed into the event being appended: its projections record exactly these.
    private var sealedTokens: [SealedTokens.Key: String] = [:]
    /// Erasure requests whose forgotten person the event being appended names again.
    private var namedAgain: [String] = []
    private let insertEntry: RawStatement
    private var nodeBytes: [UInt8] = []
    private let findToken: Statement
    private let insertToken: Statement
    private let findTombstone: Statement
    private let insertNamedAgain: Statement
    /// Whether any tombstone exists: most stores have none, and then a new identifier needs no lookup.
    private let hasTombstones: Bool

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
        insertEntry = try RawStatement(cached: db, sql: "INSERT INTO log_entry (seq, leaf, leaf_hash, chain_hash, nodes) VALUES (?, ?, ?, ?, ?)")
        findToken = try db.cachedStatement(sql: "SELECT token FROM vault WHERE lookup = ?")
        insertToken = try db.cachedStatement(sql: "INSERT INTO vault (lookup, token) VALUES (?, ?)")
        findTombstone = try db.cachedStatement(sql: "SELECT request_id FROM tombstone WHERE lookup = ?")
        insertNamedAgain = try db.cachedStatement(sql: "INSERT OR IGNORE INTO named_again (seq, request_id) VALUES (?, ?)")
        hasTombstones = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM tombstone)") ?? false
        writers = try LogReplay.beginUpToDate(projectors, db: db, logSize: head.range.size)
    }

    /// The sequence number the next appended event gets.
    public var nextSeq: Int { range.size }

    /// What preparing an event needs to know of the batch; it needs no database, so it can run on other
    /// threads while this appender writes.
    public var preparation: EventPreparation {
        EventPreparation(batchID: batchID, recordedAt: recordedAt, projectors: projectors)
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
        sealedTokens.removeAll(keepingCapacity: true)
        if let sealed = prepared.sealed, sealed.seq == seq {
            (leaf, leafHash) = (sealed.leaf, sealed.leafHash)
        } else {
            // Events naming subjects are sealed here: their tokens come from the vault, in this transaction.
            guard let event = prepared.event else {
                throw LogError.internalInconsistency("an event prepared for sequence number \(prepared.sealed?.seq ?? -1) was appended as \(seq)")
            }
            namedAgain.removeAll()
            let recorded = try event.replacingSubjects { identifier, erasing in try seal(identifier.normalized, erasing: erasing) }
            var notes = event.notes
            for request in namedAgain {
                notes.append("names a person forgotten by erasure request \(request) again: recorded under a new token")
                try insertNamedAgain.execute(arguments: [seq, request])
            }
            leaf = try EventPreparation.leaf(seq: seq, batchID: batchID, recordedAt: recordedAt, event: recorded, notes: notes)
            leafHash = MerkleHashing.leafHash(bytes: leaf)
        }
        chain = MerkleHashing.chainLink(previous: chain, leafHash: leafHash)
        nodeBytes.removeAll(keepingCapacity: true)
        for node in range.append(leafHash) {
            node.hash.withUnsafeBytes { nodeBytes.append(contentsOf: $0) }
        }
        let link = chain
        try leaf.withUnsafeBytes { leafBytes in
            try leafHash.withUnsafeBytes { hashBytes in
                try link.withUnsafeBytes { chainBytes in
                    try nodeBytes.withUnsafeBytes { nodes in
                        try insertEntry.execute(.integer(seq), .bytes(leafBytes), .bytes(hashBytes), .bytes(chainBytes), .bytes(nodes))
                    }
                }
            }
        }
        count += 1
        guard prepared.facts.count == writers.count else {
            throw LogError.internalInconsistency("an event prepared for \(prepared.facts.count) projectors was appended with \(writers.count)")
        }
        let tokens = SealedTokens(tokens: sealedTokens)
        for (writer, facts) in zip(writers, prepared.facts) { try writer.project(facts, seq: seq, tokens: tokens) }
        return seq
    }

    /// What the event being sealed records for a subject identifier (normalised, as validation leaves
    /// it): the vault's token, or a new one drawn and recorded there in this transaction. An identifier
    /// the vault forgot but a tombstone knows is, in an `erasedSubjects` list, a reference to its erasure
    /// request (no token is made); anywhere else it is new processing of that person: a new token, and
    /// the event is noted as naming them again.
    private func seal(_ normalized: String, erasing: Bool) throws -> String {
        let key = SealedTokens.Key(subject: normalized, erasing: erasing)
        if let sealed = sealedTokens[key] { return sealed }
        let token: String
        if let known = try vaultToken(for: normalized) {
            token = known
        } else if hasTombstones, let request = try String.fetchOne(findTombstone, arguments: [Data(vaultKey.tombstone(normalized))]) {
            if erasing {
                token = ErasureReference.token(request)
            } else {
                token = try newToken(for: normalized)
                if !namedAgain.contains(request) { namedAgain.append(request) }
            }
        } else {
            token = try newToken(for: normalized)
        }
        sealedTokens[key] = token
        return token
    }

    /// The vault's token for an identifier, if it holds one.
    private func vaultToken(for normalized: String) throws -> String? {
        if let cached = tokenCache[normalized] { return cached }
        guard let existing = try String.fetchOne(findToken, arguments: [Data(vaultKey.lookup(normalized))]) else { return nil }
        tokenCache[normalized] = existing
        return existing
    }

    private func newToken(for normalized: String) throws -> String {
        let token = SubjectToken.generate(using: &generator)
        try insertToken.execute(arguments: [Data(vaultKey.lookup(normalized)), token])
        newSubjects += 1
        tokenCache[normalized] = token
        return token
    }

    func finish() throws -> BatchReceipt {
        let root = range.root
        if count > 0 {
            try db.execute(
                sql: "INSERT INTO log_batch (batch_id, first_seq, event_count, recorded_at, tree_size, root) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [batchID, firstSeq, count, recordedAt, range.size, root.data])
        }
        for writer in writers { try writer.finish() }
        for projector in projectors { try LogReplay.record(db, projected: range.size, by: projector.name) }
        return BatchReceipt(batchID: batchID, firstSeq: firstSeq, eventCount: count, treeSize: range.size, root: root, newSubjects: newSubjects)
    }
}
