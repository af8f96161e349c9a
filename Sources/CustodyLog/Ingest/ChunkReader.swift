import CustodyModel
import Dispatch

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

    mutating func next() -> FramedChunk {
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
                return FramedChunk(events: events, failure: IngestError(file: current!.name, line: error.line, arrayIndex: error.arrayIndex, message: error.message))
            }
        }
        return FramedChunk(events: events, failure: nil)
    }
}

/// Events framed from the input, and the framing error that ended it, if any.
struct FramedChunk: Sendable {
    let events: [SourcedFrame]
    let failure: IngestError?
}

/// A `ChunkReader` used from a serial queue of its own, so framing runs off the writing thread. It also
/// hands out sequence numbers: chunks are framed in order, so each learns its first one as it is framed.
final class FramingReader: @unchecked Sendable {
    // Invariant: `reader`, `nextSeq` (and the sources' read closures) are used only on `queue`.
    private var reader: ChunkReader
    private var nextSeq: Int
    let queue = DispatchQueue(label: "custody.ingest.framing")

    init(sources: [IngestSource], firstSeq: Int) {
        reader = ChunkReader(sources: sources)
        nextSeq = firstSeq
    }

    /// The next chunk and the sequence number of its first event; call on `queue` only.
    func next() -> (chunk: FramedChunk, firstSeq: Int) {
        dispatchPrecondition(condition: .onQueue(queue))
        let chunk = reader.next()
        defer { nextSeq += chunk.events.count }
        return (chunk, nextSeq)
    }
}
