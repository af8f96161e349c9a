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
            var total = 0
            for source in sources {
                var framer = EventFramer(readChunk: source.readChunk)
                while true {
                    let frame: EventFrame
                    do {
                        guard let next = try framer.next() else { break }
                        frame = next
                    } catch let error as EventFramingError {
                        throw IngestError(file: source.name, line: error.line, arrayIndex: error.arrayIndex, message: error.message)
                    }
                    let event = try validate(frame, source: source.name)
                    do {
                        try batch.append(event)
                    } catch let error as LogError where error.code == .invalidInput {
                        throw IngestError(file: source.name, line: frame.line, arrayIndex: frame.arrayIndex, message: error.message)
                    }
                    counts[event.kind, default: 0] += 1
                    if !event.notes.isEmpty { noted += 1 }
                    total += 1
                    if total % 10_000 == 0 { progress?(total) }
                }
            }
        }
        return IngestSummary(receipt: receipt, runEvents: counts[.run] ?? 0, datasetEvents: counts[.dataset] ?? 0,
            jobEvents: counts[.job] ?? 0, notedEvents: noted)
    }

    /// Parses and validates one framed event, translating errors to file, line and field.
    public static func validate(_ frame: EventFrame, source: String) throws(IngestError) -> ValidatedEvent {
        let json: JSONValue
        do {
            json = try JSONParser.parse(frame.bytes)
        } catch {
            let line = frame.line + frame.bytes.prefix(error.offset).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw IngestError(file: source, line: line, arrayIndex: frame.arrayIndex, message: "malformed JSON: \(error.message)")
        }
        do {
            return try EventValidator.validate(json)
        } catch {
            throw IngestError(file: source, line: frame.line, arrayIndex: frame.arrayIndex, pointer: error.pointer, message: error.message)
        }
    }
}
