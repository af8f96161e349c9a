/// One event's bytes as framed from an input, with where it started, for error messages.
public struct EventFrame: Sendable {
    public let bytes: [UInt8]
    /// 1-based line where the event's first byte is.
    public let line: Int
    /// The event's index when it came inside a top-level JSON array.
    public let arrayIndex: Int?
}
