public import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPolicy
public import Foundation

/// The event trail of a period of the log, as recorded: every event with its sequence number, recorded
/// and event time, job, run, operation, datasets, purposes, legal basis and leaf hash; then the policy
/// findings citing events of the period, in the order of the last event of the period each cites.
///
/// XML and JSON are written event by event, and the findings judged and written a part of the log at a time
/// (`PolicyEngine.forEachFinding(citing:in:now:eventsPerPart:profilesKept:_:)`), so memory stays flat however
/// many events the period holds; HTML holds the trail in memory.
public struct AuditReport: Report, StreamedReport {
    public static let kind = "audit"

    public let period: Period
    public let evidence: EvidenceBlock
    private let lineage: CustodyLineage.Lineage
    /// When findings are judged, if the view has no `asOf`.
    private let now: Date

    /// The part of the log the trail covers: events recorded in `[from, to)`.
    public struct Period: Encodable, Sendable {
        public let from: String?
        public let to: String?
        public let firstEvent: Int
        /// How many events the period holds.
        public let events: Int
    }

    /// One event of the trail.
    public struct Event: Encodable, Sendable, XMLContent {
        public let seq: Int
        public let recordedAt: String
        public let eventTime: String
        public let kind: String
        public let eventType: String?
        public let job: String?
        public let run: String?
        public let operation: String?
        public let purposes: [String]
        public let legalBasis: String?
        public let inputs: [String]
        public let outputs: [String]
        public let dataset: String?
        public let leafHash: String

        init(_ event: LoggedEvent) {
            seq = event.seq
            recordedAt = event.recordedAt
            eventTime = event.eventTime
            kind = event.kind
            eventType = event.eventType
            job = event.job?.id
            run = event.runID
            operation = event.processing?.operation
            purposes = event.processing?.purposes ?? []
            legalBasis = event.processing?.legalBasis
            inputs = event.inputs.map(\.id)
            outputs = event.outputs.map(\.id)
            dataset = event.dataset?.id
            leafHash = event.leafHash.base64
        }

        func writeContent(to writer: XMLContentWriter) throws(ReportError) {
            try writer.number(CodingKeys.seq, seq)
            try writer.text(CodingKeys.recordedAt, recordedAt)
            try writer.text(CodingKeys.eventTime, eventTime)
            try writer.text(CodingKeys.kind, kind)
            try writer.text(CodingKeys.eventType, eventType)
            try writer.text(CodingKeys.job, job)
            try writer.text(CodingKeys.run, run)
            try writer.text(CodingKeys.operation, operation)
            try writer.list(CodingKeys.purposes, purposes)
            try writer.text(CodingKeys.legalBasis, legalBasis)
            try writer.list(CodingKeys.inputs, inputs)
            try writer.list(CodingKeys.outputs, outputs)
            try writer.text(CodingKeys.dataset, dataset)
            try writer.text(CodingKeys.leafHash, leafHash)
        }
    }

    /// The trail of the events recorded from `from` (inclusive) to `to` (exclusive) in the view, pinned to the
    /// events it sees now (`Lineage.pinned()`), with the findings of the pack that cite them, judged as of `now`
    /// when the view has no `asOf`.
    public init(lineage: CustodyLineage.Lineage, from: Date?, to: Date?, engineVersion: String, now: Date) throws {
        if let from, let to, to <= from {
            throw ReportError(.badInput, "--to (\(RFC3339.format(to))) must be later than --from (\(RFC3339.format(from)))")
        }
        // Pinned (a view pinned already stays as it is): the events and the findings, read on two connections, see one log.
        let lineage = try lineage.pinned()
        self.lineage = lineage
        evidence = try EvidenceBlock(lineage: lineage, engineVersion: engineVersion, now: now)
        let range = try lineage.store.sequenceRange(recordedFrom: from, to: to)
        let visible = range.lowerBound..<max(range.lowerBound, min(range.upperBound, evidence.logSize))
        period = Period(from: from.map(RFC3339.format), to: to.map(RFC3339.format), firstEvent: visible.lowerBound, events: visible.count)
        self.now = now
    }

    private var range: Range<Int> { period.firstEvent..<(period.firstEvent + period.events) }

    /// The findings of the pack that cite events of the period, judged a part of the log at a time, in the order
    /// of the last event of the period each cites (those sharing it in `check`'s order).
    public func forEachFinding(_ body: (FindingEntry) throws -> Void) throws {
        try PolicyEngine(pack: lineage.pack).forEachFinding(citing: range, in: lineage, now: now) { part in
            for finding in part { try body(FindingEntry(finding)) }
        }
    }

    /// All of `forEachFinding(_:)`'s findings, in memory.
    public func findings() throws -> [FindingEntry] {
        var findings: [FindingEntry] = []
        try forEachFinding { findings.append($0) }
        return findings
    }

    func stream(to writer: any ReportWriter) throws {
        // The findings are judged on the store's second reading connection while the events are written, at most
        // two parts of the log ahead of the writing: the cores share the work, and memory stays bounded.
        let (lineage, range, now) = (self.lineage, self.range, self.now)
        let findings = MadeAhead<[Finding]>(ahead: 2) { hand in
            try PolicyEngine(pack: lineage.pack).forEachFinding(citing: range, in: lineage.readingBeside(), now: now) { try hand($0) }
        }
        try writer.open(Self.kind)
        try writer.write("period", encoding: period)
        try writer.openList("events")
        try lineage.forEachEvent(in: range, preparing: Event.init) { event in try writer.write("event", encoding: event) }
        try writer.close()
        try writer.openList("findings")
        try findings.forEach { part in
            for finding in part { try writer.write("finding", encoding: FindingEntry(finding)) }
        }
        try writer.close()
        try writer.write("evidence", encoding: evidence)
        try writer.close()
    }

    /// The whole trail in memory, for the HTML template (and for `Encodable`, which XML and JSON bypass).
    struct Materialized: Encodable {
        let period: Period
        let events: [Event]
        let findings: [FindingEntry]
        let evidence: EvidenceBlock
    }

    func templateContext() throws -> Any { try materialized() }

    func materialized() throws -> Materialized {
        var events: [Event] = []
        try lineage.forEachEvent(in: range) { events.append(Event($0)) }
        return Materialized(period: period, events: events, findings: try findings(), evidence: evidence)
    }

    public func encode(to encoder: any Encoder) throws {
        try materialized().encode(to: encoder)
    }
}
