/// An event that breaks the ingest contract, with a JSON pointer to the offending field.
public struct EventValidationError: Error, Sendable, Equatable {
    /// The field, as an RFC 6901 pointer into the event (`/run/runId`).
    public let pointer: JSONPointer
    /// What is wrong and what is expected. Never contains a subject identifier.
    public let message: String

    public init(pointer: JSONPointer, message: String) {
        self.pointer = pointer
        self.message = message
    }
}
