/// A line on standard error that a long command rewrites as it goes ("ingested 40000 events…"), shown only
/// where standard error is a terminal, and wiped when the work ends, however it ends, so that neither the
/// summary nor an error message is printed after it on the same line.
struct ProgressLine {
    private let context: CommandContext
    /// Whether the line is shown at all: not into a file or a pipe, where the rewrites would pile up.
    let isShown: Bool

    init(_ context: CommandContext) {
        self.context = context
        isShown = context.standardErrorIsTerminal
    }

    /// Runs `body`, which may `show` the line, and wipes the line when it returns or throws.
    func whileShown<T>(_ body: () throws -> T) rethrows -> T {
        defer { if isShown { context.standardError("\r\u{1B}[K") } }
        return try body()
    }

    /// Puts `text` in place of what the line showed.
    func show(_ text: String) {
        if isShown { context.standardError("\r" + text) }
    }
}
