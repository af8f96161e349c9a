/// What one committed append call wrote.
public struct BatchReceipt: Sendable, Equatable {
    public let batchID: String
    /// Sequence number of the first event of the batch.
    public let firstSeq: Int
    public let eventCount: Int
    /// The log's size and root after the batch.
    public let treeSize: Int
    public let root: SHA256Hash
    /// Subjects the batch named that the vault had not seen before.
    public let newSubjects: Int
}
