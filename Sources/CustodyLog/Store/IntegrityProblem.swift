/// One thing `verify` found wrong, located as precisely as the evidence allows.
public struct IntegrityProblem: Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable name of the finding (`leaf-hash-mismatch`, `missing-event`, …).
    public let kind: String
    /// The sequence numbers the problem is located to: one event (`42..<43`) where the row itself shows
    /// it, or the interval between two checkpoints where only a checkpoint does.
    public let location: Range<Int>
    public let message: String

    public var description: String { message }

    /// The first sequence number the problem concerns.
    public var firstSeq: Int { location.lowerBound }
}

/// The outcome of `EventStore.verify`.
public struct VerificationReport: Sendable {
    /// Number of events in the log, and the root recomputed from their bytes.
    public let size: Int
    public let root: SHA256Hash
    /// Problems in order of sequence number; empty when the log is intact.
    public let problems: [IntegrityProblem]
    /// Checkpoints kept elsewhere that the log was checked against, by size.
    public let externalCheckpointSizes: [Int]
    /// Checkpoints stored in the database that were re-verified.
    public let storedCheckpoints: Int
    /// What the comparison of the projections with a replay of the log covered; `nil` when no projector
    /// was passed or the log itself failed (a replay of a damaged log proves nothing).
    public internal(set) var projections: ProjectionCheck?

    public var isIntact: Bool { problems.isEmpty }

    /// The report with one more problem, in its place in the order.
    func adding(_ problem: IntegrityProblem) -> VerificationReport {
        adding([problem])
    }

    func adding(_ more: [IntegrityProblem]) -> VerificationReport {
        var report = VerificationReport(size: size, root: root, problems: more + problems,
            externalCheckpointSizes: externalCheckpointSizes, storedCheckpoints: storedCheckpoints)
        report.projections = projections
        return report
    }
}

/// How much of the projections `verify` compared with a replay of the log.
public struct ProjectionCheck: Sendable {
    /// Events replayed (the projections cover the log up to here).
    public let events: Int
    /// Tables compared, and their rows in the store.
    public let tables: Int
    public let rows: Int
}
