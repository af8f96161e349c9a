public import CustodyLineage
public import CustodyPack
internal import Foundation

/// One thing a rule found: which rule and article, how grave, what it concerns, what exactly is wrong,
/// and the logged events that prove it.
public struct Finding: Sendable, Equatable {
    public var rule: String { storage.rule }
    public var article: String { storage.article }
    public var severity: Severity { storage.severity }
    public var concerns: Concern { storage.concerns }
    /// What is wrong in this case, in a sentence that names the dataset, run or recipient.
    public var summary: String { storage.summary }
    /// The rule's explanation and remedy, as the pack words them.
    public var explanation: String { storage.explanation }
    public var remedy: String { storage.remedy }
    /// Sequence numbers of the events that prove it, ascending.
    public var evidence: [Int] { storage.evidence }
    /// For Chapter V findings: the assessment, with the branch that applied.
    public var transfer: TransferAssessment? { storage.transfer }

    /// The fields in one shared box: a whole store has hundreds of thousands of findings, filtered, sorted
    /// and handed to reports; reference counting, much of it copying their dozen strings and arrays, was a
    /// third of `check`.
    private let storage: Storage

    private final class Storage: Sendable {
        let rule: String
        let article: String
        let severity: Severity
        let concerns: Concern
        let summary: String
        let explanation: String
        let remedy: String
        let evidence: [Int]
        let transfer: TransferAssessment?

        init(rule: String, article: String, severity: Severity, concerns: Concern, summary: String, explanation: String, remedy: String,
             evidence: [Int], transfer: TransferAssessment?) {
            self.rule = rule
            self.article = article
            self.severity = severity
            self.concerns = concerns
            self.summary = summary
            self.explanation = explanation
            self.remedy = remedy
            self.evidence = evidence
            self.transfer = transfer
        }
    }

    init(rule: PolicyRule, severity: Severity? = nil, concerns: Concern, summary: String, evidence: [Int], transfer: TransferAssessment? = nil) {
        var sorted = evidence.sorted()
        sorted.removeAdjacentDuplicates()
        storage = Storage(rule: rule.id, article: rule.article, severity: severity ?? rule.severity, concerns: concerns, summary: summary,
            explanation: rule.explanation, remedy: rule.remedy, evidence: sorted, transfer: transfer)
    }

    public static func == (lhs: Finding, rhs: Finding) -> Bool {
        let (a, b) = (lhs.storage, rhs.storage)
        return a === b || (a.rule == b.rule && a.article == b.article && a.severity == b.severity && a.concerns == b.concerns
            && a.summary == b.summary && a.explanation == b.explanation && a.remedy == b.remedy && a.evidence == b.evidence
            && a.transfer == b.transfer)
    }
}

/// What a finding is about: a dataset, a run (with its job), a recipient, or several of them.
public struct Concern: Sendable, Equatable, Comparable {
    public let dataset: NodeName?
    public let runID: String?
    public let job: NodeName?
    public let recipient: String?
    /// The run's first event: runs are ordered by when they started, as the log shows them.
    let runStarted: EventStamp?
    /// The dataset's and the job's row ids in the store, when known (see `NodeRanks`).
    let datasetID: Int64?, jobID: Int64?

    init(dataset: NodeName? = nil, datasetID: Int64? = nil, run: RunSummary? = nil, recipient: String? = nil) {
        self.dataset = dataset
        self.datasetID = datasetID
        runID = run?.runID
        job = run?.job
        jobID = run?.jobID
        runStarted = run?.started
        self.recipient = recipient
    }

    /// By dataset, then job (as `NodeName` orders them), the run's first event (time, then sequence number)
    /// and recipient; absent parts first.
    public static func < (lhs: Concern, rhs: Concern) -> Bool {
        func before(_ left: NodeName?, _ right: NodeName?) -> Bool? {
            if left == right { return nil }
            guard let left else { return true }
            guard let right else { return false }
            return left < right
        }
        if let order = before(lhs.dataset, rhs.dataset) ?? before(lhs.job, rhs.job) { return order }
        func key(_ concern: Concern) -> (Double, Int, String) {
            (concern.runStarted?.time.timeIntervalSinceReferenceDate ?? -.infinity, concern.runStarted?.seq ?? -1, concern.recipient ?? "")
        }
        return key(lhs) < key(rhs)
    }
}

extension Array where Element: Equatable {
    /// Keeps the first of each run of equal neighbours: on a sorted array, each value once.
    mutating func removeAdjacentDuplicates() {
        guard count > 1 else { return }
        var kept = 1
        for index in 1..<count where self[index] != self[kept - 1] {
            self[kept] = self[index]
            kept += 1
        }
        removeLast(count - kept)
    }
}
