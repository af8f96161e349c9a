import Dispatch

/// Maps independent items on both cores: the one way ingest and verification spread per-event work.
enum ParallelMap {
    /// `transform(0..<count)` in order, computed by `workers` threads, each taking every `workers`-th
    /// item so that both get a similar mix of small and large events.
    static func map<Element: Sendable>(count: Int, workers: Int = 2, _ transform: @Sendable (Int) -> Element) -> [Element] {
        guard count > 0 else { return [] }
        return [Element](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            // Each worker initialises only its own indices, and all have finished when concurrentPerform returns.
            nonisolated(unsafe) let output = buffer.baseAddress!
            let workers = max(1, min(workers, count))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var index = worker
                while index < count {
                    (output + index).initialize(to: transform(index))
                    index += workers
                }
            }
            initializedCount = count
        }
    }
}
