import Dispatch

/// One chunk of input being framed and prepared off the writing thread: `take()` waits for it.
///
/// Framing happens on the reader's serial queue, in input order; the parsing, validation and sealing
/// that follow run on other threads, so the next chunk can be framed meanwhile.
final class PreparingChunk: @unchecked Sendable {
    // Invariant: `frames` and `slots` are written only inside `group` (on the reader's queue, then on
    // the thread that prepares) and read only after `group.wait()`.
    private var frames = FramedChunk(events: [], failure: nil)
    private var slots: [Result<PreparedEvent, IngestError>] = []
    private let group = DispatchGroup()

    init(reader: FramingReader, preparation: EventPreparation) {
        group.enter()
        reader.queue.async { [self] in
            let (chunk, firstSeq) = reader.next()
            frames = chunk
            DispatchQueue.global().async { [self] in
                let events = chunk.events
                slots = ParallelMap.map(count: events.count, workers: ParallelMap.besideOneWriter) { index in
                    Ingestor.prepare(events[index], seq: firstSeq + index, preparation: preparation)
                }
                group.leave()
            }
        }
    }

    /// The prepared events in input order and the chunk they came from, once ready. Called once.
    func take() -> (results: [Result<PreparedEvent, IngestError>], frames: FramedChunk) {
        group.wait()
        defer { slots = [] }
        return (slots, frames)
    }
}
