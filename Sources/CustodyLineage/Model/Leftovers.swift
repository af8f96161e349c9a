import CustodyLog

/// What a whole-store question loaded besides its answer (the view's tables, the categories under the
/// pack): hundreds of thousands of objects that nothing refers to any more, to be let go once the caller
/// has answered, on a background thread, rather than while it is still working on both cores.
package struct Leftovers: @unchecked Sendable {
    // Nothing else refers to what this holds: it is only kept alive, never read.
    private let parts: [Any]

    init(_ parts: Any...) {
        self.parts = parts
    }

    package init(combining leftovers: [Leftovers]) {
        parts = leftovers.flatMap(\.parts)
    }

    /// Lets go of it on a background thread.
    package consuming func releaseInBackground() {
        CustodyLog.releaseInBackground(self)
    }
}
