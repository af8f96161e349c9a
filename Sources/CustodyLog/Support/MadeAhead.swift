import Dispatch
import Synchronization

/// Values made one after another on another thread, started now and taken in order later: at most `ahead`
/// of them made and not yet taken, so what waits in memory stays bounded however many are made. An audit
/// trail judges its findings this way, a part of the log at a time, while it writes its events.
///
/// Dropped before every value was taken, it stops the maker at its next value and waits for it to return, so
/// the maker never outlives what it reads.
package final class MadeAhead<Value: Sendable>: Sendable {
    private let handover: Handover

    /// Starts `make` on another thread; it hands each value over with `hand`, which waits while `ahead` values
    /// are waiting to be taken, and throws once nothing more will be taken.
    package init(ahead: Int, _ make: @escaping @Sendable (_ hand: (Value) throws -> Void) throws -> Void) {
        precondition(ahead > 0, "nothing could be made ahead")
        let handover = Handover(room: ahead)
        self.handover = handover
        // The maker holds the handover, not this object: dropping this object is what stops it.
        DispatchQueue.global().async {
            handover.finish(Result { try make(handover.hand) })
        }
    }

    /// Takes every value in the order made, waiting for each; then throws what the maker threw, if anything.
    /// Call it once. If `body` throws, the maker is stopped before the error is passed on.
    package func forEach(_ body: (Value) throws -> Void) throws {
        while let value = try handover.take() {
            do { try body(value) } catch {
                handover.stop()
                throw error
            }
        }
    }

    deinit {
        handover.stop()
    }

    private final class Handover: Sendable {
        private let waiting = Mutex<[Value]>([])
        /// The maker's outcome, once it has made its last value or failed.
        private let outcome = Mutex<Result<Void, any Error>?>(nil)
        private let stopped = Atomic<Bool>(false)
        /// Counts the room for values made and not taken; `ready` counts values, and the outcome, to take.
        private let room: DispatchSemaphore
        private let ready = DispatchSemaphore(value: 0)
        private let done = DispatchGroup()

        init(room: Int) {
            self.room = DispatchSemaphore(value: room)
            done.enter()
        }

        /// Thrown by `hand` once nothing more will be taken.
        struct Stopped: Error {}

        func hand(_ value: Value) throws {
            room.wait()
            guard !stopped.load(ordering: .acquiring) else { throw Stopped() }
            waiting.withLock { $0.append(value) }
            ready.signal()
        }

        func finish(_ result: Result<Void, any Error>) {
            outcome.withLock { $0 = result }
            ready.signal()
            done.leave()
        }

        /// The next value, waiting for it; nil after the last, or what the maker threw.
        func take() throws -> Value? {
            ready.wait()
            if let value = waiting.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                room.signal()
                return value
            }
            // A signal with nothing waiting is the maker's last.
            try outcome.withLock { $0! }.get()
            return nil
        }

        /// Stops the maker at its next value and waits until it has returned.
        func stop() {
            stopped.store(true, ordering: .releasing)
            room.signal()
            done.wait()
        }
    }
}
