/// A usage error found after parsing: a format the command cannot write, an option that needs another.
/// Exit code 2.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
