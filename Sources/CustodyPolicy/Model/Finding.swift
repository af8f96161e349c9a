public import CustodyLineage
public import CustodyPack

/// One thing a rule found: which rule and article, how grave, what it concerns, what exactly is wrong,
/// and the logged events that prove it.
public struct Finding: Sendable, Equatable {
    public let rule: String
    public let article: String
    public let severity: Severity
    public let concerns: Concern
    /// What is wrong in this case, in a sentence that names the dataset, run or recipient.
    public let summary: String
    /// The rule's explanation and remedy, as the pack words them.
    public let explanation: String
    public let remedy: String
    /// Sequence numbers of the events that prove it, ascending.
    public let evidence: [Int]
    /// For Chapter V findings: the assessment, with the branch that applied.
    public let transfer: TransferAssessment?

    init(rule: PolicyRule, severity: Severity? = nil, concerns: Concern, summary: String, evidence: [Int], transfer: TransferAssessment? = nil) {
        self.rule = rule.id
        article = rule.article
        self.severity = severity ?? rule.severity
        self.concerns = concerns
        self.summary = summary
        explanation = rule.explanation
        remedy = rule.remedy
        var sorted = evidence.sorted()
        sorted.removeAdjacentDuplicates()
        self.evidence = sorted
        self.transfer = transfer
    }
}

/// What a finding is about: a dataset, a run (with its job), a recipient, or several of them.
public struct Concern: Sendable, Equatable, Comparable {
    public let dataset: NodeName?
    public let runID: String?
    public let job: NodeName?
    public let recipient: String?

    init(dataset: NodeName? = nil, run: RunSummary? = nil, recipient: String? = nil) {
        self.dataset = dataset
        runID = run?.runID
        job = run?.job
        self.recipient = recipient
    }

    /// By dataset, then job, run and recipient; absent parts first.
    public static func < (lhs: Concern, rhs: Concern) -> Bool { lhs.sortKey < rhs.sortKey }

    /// Ordering by this text is ordering by its parts in turn: the separator sorts before any character.
    var sortKey: String {
        [dataset?.id ?? "", job?.id ?? "", runID ?? "", recipient ?? ""].joined(separator: "\u{0}")
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
