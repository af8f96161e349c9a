/// A JSON text that does not parse, with the byte offset where parsing stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    /// Offset of the offending byte from the start of the parsed text.
    public let offset: Int
    public let message: String
}
