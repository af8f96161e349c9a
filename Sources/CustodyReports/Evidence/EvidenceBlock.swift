public import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
public import Foundation

/// What every report ends with, so a reader can check what it was made from: the log's size and Merkle
/// root (as `custody verify` prints them), the newest stored checkpoint with the proof that links the two,
/// the policy pack's digest, the engine's version and the horizon.
public struct EvidenceBlock: Encodable, Sendable, Equatable {
    /// Events the report was made from: the first `logSize` of the log.
    public let logSize: Int
    /// The RFC 9162 root of those events, base64 (`custody verify` prints the same).
    public let merkleRoot: String
    public let checkpoint: CheckpointEvidence?
    public let policyPackDigest: String
    public let engineVersion: String
    /// The event time the report describes the world at (RFC 3339).
    public let asOf: String
    /// Set when the report was made as known at an earlier recorded time.
    public let knownAt: String?

    /// The newest stored checkpoint, and how the report's log relates to it.
    public struct CheckpointEvidence: Encodable, Sendable, Equatable {
        public let treeSize: Int
        public let storedAt: String
        /// Whether the checkpoint covers every event of the report (its tree is at least as large).
        public let coversReport: Bool
        /// The RFC 9162 consistency proof from the smaller of the two trees to the larger, base64 hashes:
        /// with it an auditor checks the report's root against the signed checkpoint without the store.
        public let consistencyHashes: [String]
        /// The signed note, exactly as signed (C2SP signed-note format).
        public let note: String
    }

    /// The evidence of a view pinned with `Lineage.pinned()`. `now` is what "as of" means when the view
    /// has no `asOf`.
    public init(lineage: Lineage, engineVersion: String, now: Date) throws {
        let store = lineage.store
        logSize = try lineage.logSize()
        merkleRoot = try store.root(size: logSize).base64
        if let stored = try store.newestCheckpoint(storedBy: lineage.horizon.knownAt) {
            let (small, large) = (min(stored.treeSize, logSize), max(stored.treeSize, logSize))
            let proof = small == large || small == 0 ? [] : try store.consistencyProof(first: small, second: large)
            checkpoint = CheckpointEvidence(treeSize: stored.treeSize, storedAt: stored.storedAt, coversReport: stored.treeSize >= logSize,
                consistencyHashes: proof.map(\.base64), note: stored.note)
        } else {
            checkpoint = nil
        }
        policyPackDigest = lineage.pack.digest
        self.engineVersion = engineVersion
        asOf = RFC3339.format(lineage.horizon.asOf ?? now)
        knownAt = lineage.horizon.knownAt.map(RFC3339.format)
    }
}
