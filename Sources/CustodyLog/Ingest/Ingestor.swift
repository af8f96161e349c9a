public import CustodyModel
public import Foundation
package import GRDB

/// One input of an ingest call: a name for messages and its bytes, read in chunks.
public struct IngestSource {
    public let name: String
    public let readChunk: EventFramer.ChunkSource

    public init(name: String, readChunk: @escaping EventFramer.ChunkSource) {
        self.name = name
        self.readChunk = readChunk
    }

    /// A file read 1 MiB at a time.
    public static func file(_ path: String) throws(LogError) -> IngestSource {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LogError(.invalidInput, "cannot read the input file \(path): it does not exist or is not readable")
        }
        return IngestSource(name: path) {
            let data = try handle.read(upToCount: 1 << 20) ?? Data()
            return data.isEmpty ? nil : Array(data)
        }
    }

    /// Bytes already in memory, handed over once.
    public static func bytes(_ bytes: [UInt8], name: String) -> IngestSource {
        var remaining: [UInt8]? = bytes
        return IngestSource(name: name) {
            defer { remaining = nil }
            return remaining
        }
    }
}

/// What an ingest call committed.
public struct IngestSummary: Sendable {
    public let receipt: BatchReceipt
    public let runEvents: Int
    public let datasetEvents: Int
    public let jobEvents: Int
    /// Events recorded with a note, such as a time without an offset.
    public let notedEvents: Int
}

/// Parses, validates and appends the events of one call, atomically.
public enum Ingestor {
    /// Ingests every event of `sources` in one transaction. The first malformed event aborts the call
    /// with an `IngestError`, and nothing of the call is kept.
    ///
    /// - Parameters:
    ///   - progress: called now and then with the number of events appended so far.
    ///   - then: runs in the same transaction after the last event is appended (Custody's own records
    ///     change the vault beside the event that states them); throwing rolls the whole call back.
    public static func ingest<Random: RandomNumberGenerator>(
        _ sources: [IngestSource],
        into store: EventStore,
        vaultKey: VaultKey,
        recordedAt: Date,
        batchID: UUID,
        random: inout Random,
        projectors: [any LogProjector] = [],
        progress: ((Int) -> Void)? = nil,
        then: ((BatchAppender) throws -> Void)? = nil
    ) throws -> IngestSummary {
        var counter = EventCounter()
        let receipt = try store.append(recordedAt: recordedAt, batchID: batchID, vaultKey: vaultKey, random: &random,
            projectors: projectors) { batch in
            try fill(batch, from: sources, counting: &counter, progress: progress)
            try then?(batch)
        }
        return counter.summary(receipt)
    }

    /// Ingests the events of `sources` as `ingest` would, runs `inspect` with them in the store (and in
    /// its projections), then rolls everything back: nothing is written. Bad input throws `IngestError`
    /// before `inspect` runs.
    package static func trial<Random: RandomNumberGenerator, T>(
        _ sources: [IngestSource],
        into store: EventStore,
        vaultKey: VaultKey,
        recordedAt: Date,
        random: inout Random,
        projectors: [any LogProjector],
        inspect: (Database, IngestSummary) throws -> T
    ) throws -> T {
        var counter = EventCounter()
        return try store.trial(recordedAt: recordedAt, batchID: UUID(), vaultKey: vaultKey, random: &random, projectors: projectors) { batch in
            try fill(batch, from: sources, counting: &counter, progress: nil)
        } inspect: { db, receipt in
            try inspect(db, counter.summary(receipt))
        }
    }

    /// What a call appended, by kind.
    private struct EventCounter {
        var counts: [EventKind: Int] = [:]
        var noted = 0

        func summary(_ receipt: BatchReceipt) -> IngestSummary {
            IngestSummary(receipt: receipt, runEvents: counts[.run] ?? 0, datasetEvents: counts[.dataset] ?? 0,
                jobEvents: counts[.job] ?? 0, notedEvents: noted)
        }
    }

    /// Frames, parses, validates and appends every event of `sources` to `batch`.
    private static func fill(_ batch: BatchAppender, from sources: [IngestSource], counting counter: inout EventCounter,
                             progress: ((Int) -> Void)?) throws {
        let reader = FramingReader(sources: sources, firstSeq: batch.nextSeq)
        let preparation = batch.preparation
        var total = 0
        // A pipeline: while this thread appends one chunk (vault, chain, tree, SQLite), the next ones
        // are framed, parsed, validated and sealed on the other threads.
        var inFlight = [PreparingChunk](), next = 0
        for _ in 0..<Self.chunksInFlight { inFlight.append(PreparingChunk(reader: reader, preparation: preparation)) }
        while true {
            let (results, frames) = inFlight[next].take()
            let finished = frames.events.isEmpty || frames.failure != nil
            // Near the end of the input the reader frames empty chunks, which cost nothing.
            if !finished { inFlight[next] = PreparingChunk(reader: reader, preparation: preparation) }
            next = (next + 1) % Self.chunksInFlight
            for (result, framed) in zip(results, frames.events) {
                let prepared = try result.get()
                do {
                    try batch.append(prepared)
                } catch let error as LogError where error.code == .invalidInput {
                    throw IngestError(file: framed.source, line: framed.frame.line, arrayIndex: framed.frame.arrayIndex, message: error.message)
                }
                counter.counts[prepared.summary.kind, default: 0] += 1
                if prepared.summary.hasNotes { counter.noted += 1 }
                total += 1
                if total % 10_000 == 0 { progress?(total) }
            }
            if let failure = frames.failure { throw failure }
            // Freeing a chunk's parsed events is a few percent of this thread's time, which every other waits for.
            releaseInBackground((consume results, consume frames))
            if finished { break }
        }
    }

    /// How many chunks are framed and prepared ahead of the writer.
    static let chunksInFlight = 3

    /// Parses, validates and seals one framed event for sequence number `seq`, with errors located.
    static func prepare(_ frame: SourcedFrame, seq: Int, preparation: EventPreparation) -> Result<PreparedEvent, IngestError> {
        Result { () throws(IngestError) -> PreparedEvent in
            let event = try validate(frame.frame, source: frame.source)
            do throws(LogError) {
                return try preparation.prepare(event, seq: seq)
            } catch {
                throw IngestError(file: frame.source, line: frame.frame.line, arrayIndex: frame.frame.arrayIndex, message: error.message)
            }
        }
    }

    /// Parses and validates one framed event, translating errors to file, line and field.
    public static func validate(_ frame: EventFrame, source: String) throws(IngestError) -> ValidatedEvent {
        let json: JSONValue
        let holdsControlCharacters: Bool
        do {
            (json, holdsControlCharacters) = try JSONParser.parseReportingControlCharacters(frame.bytes)
        } catch {
            let line = frame.line + frame.bytes.prefix(error.offset).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw IngestError(file: source, line: line, arrayIndex: frame.arrayIndex, message: "malformed JSON: \(error.message)")
        }
        do {
            return try EventValidator.validate(json, mayHoldControlCharacters: holdsControlCharacters)
        } catch {
            throw IngestError(file: source, line: frame.line, arrayIndex: frame.arrayIndex, pointer: error.pointer, message: error.message)
        }
    }
}
