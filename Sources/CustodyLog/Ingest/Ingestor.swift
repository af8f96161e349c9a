public import CustodyModel
public import Foundation

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

    public static func bytes(_ bytes: [UInt8], name: String) -> IngestSource {
        var framer: [UInt8]? = bytes
        return IngestSource(name: name) {
            defer { framer = nil }
            return framer
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
    /// - Parameter progress: called now and then with the number of events appended so far.
    public static func ingest<Random: RandomNumberGenerator>(
        _ sources: [IngestSource],
        into store: EventStore,
        vaultKey: VaultKey,
        recordedAt: Date,
        batchID: UUID,
        random: inout Random,
        projectors: [any LogProjector] = [],
        progress: ((Int) -> Void)? = nil
    ) throws -> IngestSummary {
        var counts: [EventKind: Int] = [:]
        var noted = 0
        let receipt = try store.append(recordedAt: recordedAt, batchID: batchID, vaultKey: vaultKey, random: &random,
            projectors: projectors) { batch in
            var reader = ChunkReader(sources: sources)
            var total = 0
            // A two-stage pipeline: while this thread appends one chunk (vault, chain, tree, SQLite), the
            // next chunk is parsed, validated and sealed on the other cores.
            var inFlight: PreparingChunk? = nil
            var seq = batch.nextSeq
            while true {
                let frames = try reader.next()
                let next = frames.events.isEmpty && frames.failure == nil
                    ? nil : PreparingChunk(frames, firstSeq: seq, preparation: batch.preparation)
                seq += frames.events.count
                if let chunk = inFlight {
                    for result in chunk.takeResults() {
                        let prepared = try result.get()
                        try batch.append(prepared)
                        counts[prepared.summary.kind, default: 0] += 1
                        if prepared.summary.hasNotes { noted += 1 }
                        total += 1
                        if total % 10_000 == 0 { progress?(total) }
                    }
                    if let failure = chunk.frames.failure { throw failure }
                }
                guard let next else { break }
                inFlight = next
            }
        }
        return IngestSummary(receipt: receipt, runEvents: counts[.run] ?? 0, datasetEvents: counts[.dataset] ?? 0,
            jobEvents: counts[.job] ?? 0, notedEvents: noted)
    }

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

/// A framed event and the input it came from.
struct SourcedFrame: Sendable {
    let frame: EventFrame
    let source: String
}

/// Frames events from the sources in order, a chunk at a time. A framing error ends the input; it is
/// reported after the events framed before it, so errors come in input order.
struct ChunkReader {
    static let chunkSize = 256

    private var sources: ArraySlice<IngestSource>
    private var framer: EventFramer?
    private var current: IngestSource?
    private var failed = false

    init(sources: [IngestSource]) {
        self.sources = sources[...]
    }

    mutating func next() throws -> (events: [SourcedFrame], failure: IngestError?) {
        var events: [SourcedFrame] = []
        events.reserveCapacity(Self.chunkSize)
        while events.count < Self.chunkSize && !failed {
            if framer == nil {
                guard let source = sources.popFirst() else { break }
                current = source
                framer = EventFramer(readChunk: source.readChunk)
            }
            do {
                if let frame = try framer!.next() {
                    events.append(SourcedFrame(frame: frame, source: current!.name))
                } else {
                    framer = nil
                }
            } catch {
                failed = true
                return (events, IngestError(file: current!.name, line: error.line, arrayIndex: error.arrayIndex, message: error.message))
            }
        }
        return (events, nil)
    }
}

/// One chunk being prepared on other threads: `results()` waits for it.
final class PreparingChunk: @unchecked Sendable {
    // Invariant: `slots` is written only by the workers, each at its own indices, before `group` is
    // left; it is read only after `group.wait()` returns.
    let frames: (events: [SourcedFrame], failure: IngestError?)
    private var slots: [Result<PreparedEvent, IngestError>?]
    private let group = DispatchGroup()

    init(_ frames: (events: [SourcedFrame], failure: IngestError?), firstSeq: Int, preparation: EventPreparation) {
        self.frames = frames
        slots = Array(repeating: nil, count: frames.events.count)
        let count = frames.events.count
        guard count > 0 else { return }
        DispatchQueue.global().async(group: group) { [self] in
            let workers = min(2, count)
            slots.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let output = buffer
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    var index = worker
                    while index < count {
                        output[index] = Ingestor.prepare(frames.events[index], seq: firstSeq + index, preparation: preparation)
                        index += workers
                    }
                }
            }
        }
    }

    /// The prepared events in input order, once every worker is done. Called once.
    func takeResults() -> [Result<PreparedEvent, IngestError>] {
        group.wait()
        defer { slots = [] }
        return slots.map { $0! }
    }
}
