import Dispatch

/// One chunk of input being framed and prepared off the writing thread: `take()` waits for it.
final class PreparingChunk: @unchecked Sendable {
    // Invariant: `frames` and `slots` are written only inside `group` (the frames on the reader's queue,
    // each slot by one worker at its own index) and read only after `group.wait()`.
    private var frames = FramedChunk(events: [], failure: nil)
    private var slots: [Result<PreparedEvent, IngestError>?] = []
    private let group = DispatchGroup()

    /// Frames the reader's next chunk on its queue, then parses, validates and seals its events on both
    /// cores, as sequence numbers from `firstSeq` on.
    init(reader: FramingReader, firstSeq: Int, preparation: EventPreparation) {
        reader.queue.async(group: group) { [self] in
            frames = reader.next()
            let events = frames.events
            let count = events.count
            slots = Array(repeating: nil, count: count)
            guard count > 0 else { return }
            slots.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let output = buffer
                let workers = min(2, count)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    var index = worker
                    while index < count {
                        output[index] = Ingestor.prepare(events[index], seq: firstSeq + index, preparation: preparation)
                        index += workers
                    }
                }
            }
        }
    }

    /// The prepared events in input order and the chunk they came from, once ready. Called once.
    func take() -> (results: [Result<PreparedEvent, IngestError>], frames: FramedChunk) {
        group.wait()
        defer { slots = [] }
        return (slots.map { $0! }, frames)
    }
}
