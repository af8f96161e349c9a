/// A policy file that cannot be used, located to its line and column.
public struct PackError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `taxonomy.yaml:12:5: …`, the form editors jump to.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}
