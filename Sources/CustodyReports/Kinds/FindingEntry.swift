import CustodyLineage
import CustodyPack
import CustodyPolicy

/// A policy finding as reports list it: rule, article, severity, what it concerns, what is wrong, the
/// Chapter V branch for transfers, and the events that prove it.
public struct FindingEntry: Encodable, Sendable {
    public let rule: String
    public let article: String
    /// `violation`, `warning` or `info`.
    public let severity: String
    public let summary: String
    public let dataset: String?
    public let job: String?
    public let run: String?
    public let recipient: String?
    public let transfer: TransferEntry?
    public let events: [Int]

    /// The Chapter V answer of a transfer finding.
    public struct TransferEntry: Encodable, Sendable {
        public let destination: String
        public let branch: String
        public let basis: String?
        public let recordedIn: String?
        public let onwardFromCountries: [String]
        public let gaps: [String]
    }

    init(_ finding: Finding) {
        rule = finding.rule
        article = finding.article
        severity = finding.severity.rawValue
        summary = finding.summary
        dataset = finding.concerns.dataset?.id
        job = finding.concerns.job?.id
        run = finding.concerns.runID
        recipient = finding.concerns.recipient
        transfer = finding.transfer.map {
            TransferEntry(destination: $0.destination, branch: $0.branch.rawValue, basis: $0.basis, recordedIn: $0.recordedIn,
                onwardFromCountries: $0.onwardFrom, gaps: $0.gaps)
        }
        events = finding.evidence
    }
}
