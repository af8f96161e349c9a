public import CustodyModel

/// Input that breaks the ingest contract, located to the file, the line where the event starts (and
/// its index in a JSON array), and the field.
public struct IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let arrayIndex: Int?
    /// The offending field, when the event parsed as JSON.
    public let pointer: JSONPointer?
    public let message: String

    public init(file: String, line: Int, arrayIndex: Int? = nil, pointer: JSONPointer? = nil, message: String) {
        self.file = file
        self.line = line
        self.arrayIndex = arrayIndex
        self.pointer = pointer
        self.message = message
    }

    /// `events.jsonl:12: /run/runId: 'x' is not a UUID …`, the form compilers use.
    public var description: String {
        var text = "\(file):\(line):"
        if let arrayIndex { text += " [event \(arrayIndex) of the array]" }
        if let pointer { text += " field \(pointer.description.isEmpty ? "(the event)" : pointer.description):" }
        return text + " " + message
    }
}
