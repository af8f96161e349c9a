import Dispatch

/// Work started on another thread now, its result asked for later: for a whole-store question, what does
/// not need the connection (decoding rows already read) is worked out while the connection reads the next
/// tables.
package final class Aside<Value: Sendable>: @unchecked Sendable {
    // Written once by the worker before it leaves the group; read only after waiting on it.
    private var result: Result<Value, any Error>?
    private let group = DispatchGroup()

    package init(_ work: @escaping @Sendable () throws -> Value) {
        group.enter()
        DispatchQueue.global().async { [self] in
            result = Result { try work() }
            group.leave()
        }
    }

    /// The work's result once it is done (waiting for it if need be), or what it threw.
    package func get() throws -> Value {
        group.wait()
        return try result!.get()
    }
}
