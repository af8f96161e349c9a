/// A checkpoint as `custody checkpoint` stored it in the store: the signed note and the size it covers.
public struct StoredCheckpoint: Sendable, Equatable {
    /// The number of events the checkpoint covers.
    public let treeSize: Int
    /// The signed note (C2SP), exactly as signed.
    public let note: String
    /// When it was signed (RFC 3339).
    public let storedAt: String
}
