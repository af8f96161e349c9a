import CustodyLineage
import CustodyPack
import CustodyPolicy
import Mustache

/// A policy finding as reports list it: rule, article, severity, what it concerns, what is wrong, the
/// Chapter V branch for transfers, and the events that prove it.
///
/// An entry is a view of the engine's finding, worked out as it is read: a whole store's audit trail lists
/// hundreds of thousands, and copying each into an entry of its own cost about a quarter of the report's
/// findings step and a copy of every name in memory. Templates, which read stored properties, read an
/// entry through `template` instead.
public struct FindingEntry: Encodable, Sendable {
    private let finding: Finding

    public var rule: String { finding.rule }
    public var article: String { finding.article }
    /// `violation`, `warning` or `info`.
    public var severity: String { finding.severity.rawValue }
    public var summary: String { finding.summary }
    public var dataset: String? { finding.concerns.dataset?.id }
    public var job: String? { finding.concerns.job?.id }
    public var run: String? { finding.concerns.runID }
    public var recipient: String? { finding.concerns.recipient }
    public var transfer: TransferEntry? { finding.transfer.map(TransferEntry.init) }
    public var events: [Int] { finding.evidence }

    /// The Chapter V answer of a transfer finding.
    public struct TransferEntry: Encodable, Sendable {
        public let destination: String
        public let branch: String
        public let basis: String?
        public let recordedIn: String?
        public let onwardFromCountries: [String]
        public let gaps: [String]

        init(_ assessment: TransferAssessment) {
            destination = assessment.destination
            branch = assessment.branch.rawValue
            basis = assessment.basis
            recordedIn = assessment.recordedIn
            onwardFromCountries = assessment.onwardFrom
            gaps = assessment.gaps
        }
    }

    init(_ finding: Finding) {
        self.finding = finding
    }

    private enum CodingKeys: String, CodingKey {
        case rule, article, severity, summary, dataset, job, run, recipient, transfer, events
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rule, forKey: .rule)
        try container.encode(article, forKey: .article)
        try container.encode(severity, forKey: .severity)
        try container.encode(summary, forKey: .summary)
        try container.encodeIfPresent(dataset, forKey: .dataset)
        try container.encodeIfPresent(job, forKey: .job)
        try container.encodeIfPresent(run, forKey: .run)
        try container.encodeIfPresent(recipient, forKey: .recipient)
        try container.encodeIfPresent(transfer, forKey: .transfer)
        try container.encode(events, forKey: .events)
    }
}

extension FindingEntry: XMLContent {
    func writeContent(to writer: XMLContentWriter) throws(ReportError) {
        try writer.text(CodingKeys.rule, rule)
        try writer.text(CodingKeys.article, article)
        try writer.text(CodingKeys.severity, severity)
        try writer.text(CodingKeys.summary, summary)
        // The concern is a struct of names: read once, not copied out of the finding for each member.
        let concerns = finding.concerns
        try writer.text(CodingKeys.dataset, concerns.dataset?.id)
        try writer.text(CodingKeys.job, concerns.job?.id)
        try writer.text(CodingKeys.run, concerns.runID)
        try writer.text(CodingKeys.recipient, concerns.recipient)
        try writer.value(CodingKeys.transfer, transfer)
        try writer.list(CodingKeys.events, events)
    }
}

extension FindingEntry {
    /// The entry as HTML templates read it (`TemplateContext`): by its members' names, absent ones
    /// missing, as they read the stored properties of other report values.
    var template: any MustacheParent { Template(entry: self) }

    private struct Template: MustacheParent {
        let entry: FindingEntry

        func child(named name: String) -> Any? {
            guard let key = CodingKeys(rawValue: name) else { return nil }
            switch key {
            case .rule: return entry.rule
            case .article: return entry.article
            case .severity: return entry.severity
            case .summary: return entry.summary
            case .dataset: return entry.dataset
            case .job: return entry.job
            case .run: return entry.run
            case .recipient: return entry.recipient
            case .transfer: return entry.transfer.flatMap(TemplateContext.wrap)
            case .events: return entry.events
            }
        }
    }
}
