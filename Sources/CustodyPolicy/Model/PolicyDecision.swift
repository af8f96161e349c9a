import CustodyPack

/// What `decide` says of proposed events: allowed unless a finding they cause is a violation.
public struct PolicyDecision: Sendable {
    /// The findings that cite a proposed event, in `check`'s order.
    public let findings: [Finding]
    /// The sequence numbers the events would get if they were ingested now.
    public let proposed: Range<Int>
    public let packDigest: String

    public var allowed: Bool { !findings.contains { $0.severity == .violation } }
}
