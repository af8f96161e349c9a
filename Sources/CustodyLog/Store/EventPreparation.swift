public import CustodyModel

/// The part of appending that needs no database: what the projectors keep of the event and, for an
/// event that names no subject, canonical JSON, the leaf record and its hash. Pure, so ingest runs it on
/// other cores.
public struct EventPreparation: Sendable {
    let batchID: String
    let recordedAt: String
    let projectors: [any LogProjector]

    /// Prepares `event` to be appended as sequence number `seq`.
    public func prepare(_ event: ValidatedEvent, seq: Int) throws(LogError) -> PreparedEvent {
        let summary = PreparedEvent.Summary(kind: event.kind, hasNotes: !event.notes.isEmpty)
        let facts = projectors.map { $0.extract(event.json, kind: event.kind) }
        guard event.subjectCount == 0 else { return PreparedEvent(summary: summary, event: event, sealed: nil, facts: facts) }
        let leaf = try Self.leaf(seq: seq, batchID: batchID, recordedAt: recordedAt, event: event.json, notes: event.notes)
        // The parsed event is not needed any more: it is freed on this thread, not on the one that writes.
        return PreparedEvent(summary: summary, event: nil, sealed: (seq, leaf, MerkleHashing.leafHash(bytes: leaf)), facts: facts)
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
    /// The validated event, kept only when it names subjects: the writer seals it with their tokens.
    let event: ValidatedEvent?
    let sealed: (seq: Int, leaf: [UInt8], leafHash: SHA256Hash)?
    /// What each projector extracted, in the order of the projectors.
    let facts: [any Sendable]
}
