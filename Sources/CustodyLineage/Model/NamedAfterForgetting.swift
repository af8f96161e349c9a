/// An event that named a person Custody had forgotten after their erasure request: it was recorded under
/// a new token, and is new processing of that person. Only the request and the event are known; nothing
/// leads to the person's old tokens.
public struct NamedAfterForgetting: Sendable, Equatable {
    public let seq: Int
    /// The erasure request whose tombstone the identifier matched.
    public let request: String
    /// The run the event reported, if it was a RunEvent.
    public let run: RunSummary?
}
