import Dispatch
import Foundation

/// Maps independent items on the machine's cores: the one way ingest, verification and the policy engine spread work.
package enum ParallelMap {
    /// The machine's cores.
    package static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Workers for work that feeds a thread busy writing (ingest's preparation, a replay's extraction): all
    /// cores but the writer's. More would take turns with the writer on its core, and the writer is what
    /// an ingest or a rebuild waits for (on two cores, one worker ingests about a tenth faster than two).
    package static let besideOneWriter = max(1, cores - 1)

    /// `transform(0..<count)` in order, computed by `workers` threads, each taking every `workers`-th
    /// item so that all get a similar mix of small and large events.
    package static func map<Element: Sendable>(count: Int, workers: Int = cores, _ transform: @Sendable (Int) -> Element) -> [Element] {
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

    /// `transform` of `items` cut into one stretch per core, in order: for many small items whose neighbours
    /// share objects (datasets and their runs), so that each core mostly counts references to its own.
    package static func mapStretches<Item: Sendable, Element: Sendable>(_ items: [Item],
                                                                        _ transform: @Sendable (ArraySlice<Item>) -> Element) -> [Element] {
        let size = max(1, (items.count + cores - 1) / cores)
        return map(count: cores) { stretch in
            transform(items[min(stretch * size, items.count)..<min((stretch + 1) * size, items.count)])
        }
    }

    /// `transform(0..<count)` in order, each item taken by whichever thread is free: for a few items whose
    /// costs differ by orders of magnitude (the rules of a pack), where taking every other one would leave a
    /// core idle.
    package static func mapUnevenly<Element: Sendable>(count: Int, _ transform: @Sendable (Int) -> Element) -> [Element] {
        guard count > 0 else { return [] }
        return [Element](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            // Each index is initialised once, by the thread that took it, and all have finished when concurrentPerform returns.
            nonisolated(unsafe) let output = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: count) { index in (output + index).initialize(to: transform(index)) }
            initializedCount = count
        }
    }
}
