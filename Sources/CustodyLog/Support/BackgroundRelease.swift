import Dispatch

/// Lets go of `value` on a background thread: for large structures nothing else refers to any more (a
/// chunk of parsed events, a whole-store view's tables), whose freeing would otherwise hold up the thread
/// every other one waits for. Pass the last reference (`consume`), or the caller's own release may be the
/// one that frees.
package func releaseInBackground<Value>(_ value: consuming Value) {
    // The only reference to the box travels unmanaged, so the background thread's release is the last one
    // whatever runs first: with a strong reference kept here until return, a background thread that
    // finished first left the freeing to this thread.
    let box = Unmanaged.passRetained(Unreferenced(value))
    DispatchQueue.global(qos: .utility).async { box.release() }
}

/// Holds a value nothing reads, only to carry its last reference to another thread.
private final class Unreferenced<Value>: @unchecked Sendable {
    // Never read: the value is only kept alive until this object is released.
    private let value: Value

    init(_ value: consuming Value) {
        self.value = value
    }
}
