public import CustodyLineage
import CustodyPack

/// What `check` found, in a fixed order (severity, rule, what it concerns, first evidence), so the same
/// store, pack and horizon always give the same list.
public struct PolicyResult: Sendable {
    public let findings: [Finding]
    /// The digest of the pack that judged (`PolicyPack.digest`).
    public let packDigest: String
    public let horizon: Horizon
    /// How many runs and datasets the rules looked at.
    public let runsJudged: Int
    public let datasetsJudged: Int

    /// Whether any finding is a violation: `custody check` exits 1.
    public var hasViolations: Bool { findings.contains { $0.severity == .violation } }
}
