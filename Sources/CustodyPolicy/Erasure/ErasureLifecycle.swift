import CustodyLineage
public import CustodyLog
public import CustodyModel
public import CustodyPack
public import Foundation

/// The erasure lifecycle (Art. 17 and 19) over one store: record a request with its scope, record the
/// recipients told, work out where a request stands, and forget a person once their request is complete
/// (or at once, on request) while the log stays verifiable.
///
/// Every step that writes is one transaction: its record in the log and the vault's change (salt and
/// tokens kept, or deleted) commit together or not at all. What forgetting leaves outside the live pages
/// (the WAL) is removed afterwards by `EventStore.scrub()`, which a later step repeats if a crash came
/// between the two.
///
/// ```swift
/// let erasures = ErasureLifecycle(store: store, pack: pack, vaultKey: key)
/// let answer = try erasures.request([SubjectIdentifier("alice@example.com")!], ground: "consent_withdrawn",
///                                   reason: nil, shred: false, now: Date(), random: &random)
/// ```
public struct ErasureLifecycle: Sendable {
    public let store: EventStore
    public let pack: PolicyPack
    private let vaultKey: VaultKey

    public init(store: EventStore, pack: PolicyPack, vaultKey: VaultKey) {
        self.store = store
        self.pack = pack
        self.vaultKey = vaultKey
    }

    /// What `request` did.
    public enum Outcome: String, Sendable {
        /// A new request was recorded.
        case recorded
        /// The person's earlier request is still open; nothing new was recorded.
        case alreadyOpen
        /// The person was forgotten by an earlier request; nothing new was recorded.
        case alreadyForgotten
        /// No identifier is known to the vault: no data held, nothing recorded.
        case noDataHeld
    }

    public struct Answer: Sendable {
        public let outcome: Outcome
        /// The request's status after the call; `nil` when no data is held.
        public let status: ErasureStatus?
        /// For a new request: its scope with the events behind it, for the plan shown to the user (the
        /// log keeps only the items).
        public let plan: ErasurePlan?
    }

    /// Records an erasure request for the person known by `identifiers`: one event of `custody`/`erasure`
    /// that names them only through a salted commitment, with the scope, holds and recipients as items;
    /// the salt and the tokens kept beside the vault; a tombstone per identifier. With `shred`, the
    /// person is forgotten in the same transaction.
    ///
    /// Asking again while the person's request is open returns that request (and forgets the person now
    /// when `shred` is given); asking once they are forgotten finishes anything an interrupted call left.
    public func request(_ identifiers: [SubjectIdentifier], ground: String?, reason: String?, shred: Bool, now: Date,
                        random: inout some RandomNumberGenerator) throws -> Answer {
        let earlier = try store.erasureRequest(tombstoning: identifiers, vaultKey: vaultKey)
        if let earlier, try store.openErasure(earlier) != nil {
            if shred { try forget(try status(of: earlier, now: now), why: "shred", now: now, random: &random) }
            return Answer(outcome: .alreadyOpen, status: try status(of: earlier, now: now), plan: nil)
        }
        let tokens = try store.subjectTokens(for: identifiers, vaultKey: vaultKey)
        guard !tokens.isEmpty else {
            guard let earlier else { return Answer(outcome: .noDataHeld, status: nil, plan: nil) }
            try store.scrub()
            return Answer(outcome: .alreadyForgotten, status: try status(of: earlier, now: now), plan: nil)
        }
        let lineage = try Lineage(store: store, pack: pack)
        let plan = ErasurePlan(trail: try lineage.subject(identifiers, vaultKey: vaultKey), holds: pack.retention.holds)
        let id = Self.requestID(using: &random)
        let salt = ErasureCommitment.salt(using: &random)
        var lines = [try ErasureRecords.requestEvent(id: id, commitment: ErasureCommitment.commitment(salt: salt, tokens: tokens),
            identifiers: identifiers.count, ground: ground, reason: reason, packDigest: pack.digest, items: ErasureRecords.items(of: plan),
            at: now, runID: Self.uuid(using: &random))]
        if shred {
            lines.append(try ErasureRecords.forgottenEvent(request: id, why: "shred", closed: [], at: now, runID: Self.uuid(using: &random)))
        }
        try append(lines, now: now, random: &random) { batch in
            try batch.openErasure(id, identifiers: identifiers, tokens: tokens, salt: salt)
            if shred { try batch.forgetErasure(id) }
        }
        if shred { try store.scrub() }
        return Answer(outcome: .recorded, status: try status(of: id, now: now), plan: plan)
    }

    /// Every request the log records, in the order they were made.
    public func requests() throws -> [ErasureRequest] {
        ErasureRecords.requests(in: try Lineage(store: store, pack: pack).events(ofJob: ErasureRecords.job))
    }

    /// Where request `id` stands at `now`.
    public func status(of id: String, now: Date) throws -> ErasureStatus {
        guard let request = try requests().first(where: { $0.id == id }) else {
            throw PolicyError(.unknownRequest, "there is no erasure request '\(id)' in the store at \(store.path); "
                + "'custody erase --status' lists the requests it holds")
        }
        return try status(of: request, now: now)
    }

    /// The status of every request, oldest first.
    public func statuses(now: Date) throws -> [ErasureStatus] {
        try requests().map { try status(of: $0, now: now) }
    }

    private func status(of request: ErasureRequest, now: Date) throws -> ErasureStatus {
        var tokens: [String] = []
        if request.forgotten == nil, let open = try store.openErasure(request.id) {
            guard ErasureCommitment.commitment(salt: open.salt, tokens: open.tokens) == request.commitment else {
                throw LogError(.integrity, "the vault's entry for erasure request \(request.id) does not match the commitment its event "
                    + "\(request.seq) carries: the vault or the log was changed; run 'custody verify'")
            }
            tokens = open.tokens
        }
        return try ErasureStatus(request: request, tokens: tokens, lineage: try Lineage(store: store, pack: pack), at: now)
    }

    /// Records that `recipient` was told of request `id` (Art. 19), or why that proved impossible or
    /// disproportionate, then forgets the person if that completed the request.
    public func notified(_ id: String, recipient: String, impossible: String?, now: Date,
                         random: inout some RandomNumberGenerator) throws -> ErasureStatus {
        let before = try status(of: id, now: now)
        let recipients = before.items.filter { $0.item.kind == .notify }.compactMap(\.item.recipient)
        guard recipients.contains(recipient) else {
            throw PolicyError(.unknownRecipient, "erasure request \(id) has no recipient named '\(recipient)' to notify; "
                + (recipients.isEmpty ? "its data went to no recipient" : "its recipients are: " + recipients.joined(separator: ", ")))
        }
        try append([try ErasureRecords.noticeEvent(request: id, recipient: recipient, impossible: impossible, at: now,
            runID: Self.uuid(using: &random))], now: now, random: &random)
        _ = try forgetCompleted(now: now, random: &random)
        return try status(of: id, now: now)
    }

    /// Forgets the person of every open request whose items are all closed (or held); returns their ids.
    /// Ingest calls it after each batch, since the events that close the last items arrive there.
    public func forgetCompleted(now: Date, random: inout some RandomNumberGenerator) throws -> [String] {
        let open = Set(try store.openErasureRequests())
        guard !open.isEmpty else { return [] }
        var forgotten: [String] = []
        for request in try requests() where open.contains(request.id) {
            let status = try status(of: request, now: now)
            guard status.isComplete else { continue }
            try forget(status, why: "complete", now: now, random: &random)
            forgotten.append(request.id)
        }
        return forgotten
    }

    /// One transaction: the forgetting record (which items were closed by then, no event cited) and the
    /// vault's deletion; then the WAL is scrubbed.
    private func forget(_ status: ErasureStatus, why: String, now: Date, random: inout some RandomNumberGenerator) throws {
        let id = status.request.id
        let closed = status.items.filter { $0.state == .closed }.map(\.item.id)
        try append([try ErasureRecords.forgottenEvent(request: id, why: why, closed: closed, at: now, runID: Self.uuid(using: &random))],
            now: now, random: &random) { batch in try batch.forgetErasure(id) }
        try store.scrub()
    }

    private func append(_ lines: [String], now: Date, random: inout some RandomNumberGenerator,
                        then: ((BatchAppender) throws -> Void)? = nil) throws {
        _ = try Ingestor.ingest([IngestSource.bytes(Array(lines.joined(separator: "\n").utf8), name: "erasure record")], into: store,
            vaultKey: vaultKey, recordedAt: now, batchID: Self.uuid(using: &random), random: &random, projectors: [LineageProjector()],
            then: then)
    }

    /// `R-` and ten base32 characters (50 bits): short enough to type, unrelated to the person.
    static func requestID(using random: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return "R-" + String((0..<10).map { _ in alphabet[Int(random.next() % 32)] })
    }

    static func uuid(using random: inout some RandomNumberGenerator) -> UUID {
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
