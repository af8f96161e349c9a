import Dispatch

/// One chunk of input being framed and prepared off the writing thread: `take()` waits for it.
final class PreparingChunk: @unchecked Sendable {
    // Invariant: `frames` and `slots` are written only inside `group`, on the reader's queue, and read
    // only after `group.wait()`.
    private var frames = FramedChunk(events: [], failure: nil)
    private var slots: [Result<PreparedEvent, IngestError>] = []
    private let group = DispatchGroup()

    /// Frames the reader's next chunk on its queue, then parses, validates and seals its events on both
    /// cores, as sequence numbers from `firstSeq` on.
    init(reader: FramingReader, firstSeq: Int, preparation: EventPreparation) {
        reader.queue.async(group: group) { [self] in
            frames = reader.next()
            let events = frames.events
            slots = ParallelMap.map(count: events.count) { index in
                Ingestor.prepare(events[index], seq: firstSeq + index, preparation: preparation)
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
