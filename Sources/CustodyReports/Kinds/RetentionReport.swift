public import CustodyLineage
import CustodyModel
import CustodyPack
public import CustodyPolicy
public import Foundation

/// What is past or near its retention deadline (Art. 5(1)(e)), as an erasure plan: per dataset the
/// deadline, the period and purpose that set it, when its clock started, and what an Art. 17(3) hold keeps.
public struct RetentionReport: Report {
    public static let kind = "retention"

    /// The moment judged.
    public let at: String
    public let overdue: Int
    public let dueSoon: Int
    public let held: Int
    public let items: [Item]
    /// The items earlier plans recorded (`custody retention --apply`), open or closed.
    public let recorded: [RecordedItem]
    /// Erasure requests and where they stand.
    public let erasureRequests: [ErasureRequestEntry]
    public let evidence: EvidenceBlock

    public struct RecordedItem: Encodable, Sendable {
        public let dataset: String
        public let deadline: String
        public let rule: String
        public let purpose: String?
        /// The plan event.
        public let plan: Int
        /// `open` or `closed`.
        public let state: String
        /// DROP, TRUNCATE or OVERWRITE, when and by which event.
        public let how: String?
        public let closedAt: String?
        public let closedBy: Int?
    }

    public struct ErasureRequestEntry: Encodable, Sendable {
        public let id: String
        public let received: String
        public let dueBy: String
        /// `open`, `overdue` or `complete`.
        public let status: String
        public let openItems: Int
        public let items: Int
        public let forgotten: String?
    }

    public struct Item: Encodable, Sendable {
        public let dataset: String
        public let location: String?
        /// `overdue`, `due_soon` or `held`.
        public let status: String
        public let deadline: String
        public let daysOverdue: Int
        public let rule: String
        public let period: String
        public let clock: String
        public let purpose: String?
        public let clockStart: String
        public let firstWrittenIn: String?
        public let peoplePastDeadline: Int?
        public let confirmedSubjects: Int
        public let hold: Hold?
        public let events: [Int]
    }

    public struct Hold: Encodable, Sendable {
        public let id: String
        /// The Art. 17(3) ground.
        public let ground: String
        public let reason: String
    }

    /// The plan of a pinned view, as of its `asOf`, else as of `now`, with the items earlier plans
    /// recorded and the erasure requests given (`ErasureLifecycle.statuses`).
    public init(lineage: CustodyLineage.Lineage, erasures: [ErasureStatus] = [], engineVersion: String, now: Date) throws {
        let plan = try PolicyEngine(pack: lineage.pack).retentionPlan(lineage, now: now)
        evidence = try EvidenceBlock(lineage: lineage, engineVersion: engineVersion, now: now)
        at = RFC3339.format(plan.at)
        items = plan.items.map { item in
            Item(dataset: item.dataset.id, location: item.location.text, status: item.status.rawValue, deadline: RFC3339.format(item.deadline),
                daysOverdue: item.daysOverdue, rule: item.period.id, period: item.period.period.description, clock: item.period.clock.rawValue,
                purpose: item.purpose, clockStart: RFC3339.format(item.clockStart.time), firstWrittenIn: item.firstWrittenIn?.id,
                peoplePastDeadline: item.peoplePastDeadline, confirmedSubjects: item.confirmedSubjects,
                hold: item.hold.map { Hold(id: $0.id, ground: $0.ground, reason: $0.reason) }, events: item.evidence)
        }
        overdue = items.count { $0.status == RetentionPlan.Item.Status.overdue.rawValue }
        dueSoon = items.count { $0.status == RetentionPlan.Item.Status.dueSoon.rawValue }
        held = items.count { $0.status == RetentionPlan.Item.Status.held.rawValue }
        recorded = try RetentionRecord.recordedItems(lineage).map { item in
            RecordedItem(dataset: item.key.dataset, deadline: item.key.deadline, rule: item.key.period, purpose: item.purpose, plan: item.plan,
                state: item.closedBy == nil ? "open" : "closed", how: item.closedBy?.how, closedAt: item.closedBy.map { RFC3339.format($0.at.time) },
                closedBy: item.closedBy?.at.seq)
        }
        erasureRequests = erasures.map(ErasureRequestEntry.init)
    }
}

extension RetentionReport.ErasureRequestEntry {
    init(_ status: ErasureStatus) {
        self.init(id: status.request.id, received: RFC3339.format(status.request.receivedAt), dueBy: RFC3339.format(status.request.dueBy),
            status: status.reportStatus, openItems: status.openItems.count, items: status.items.count,
            forgotten: status.request.forgotten.map { RFC3339.format($0.at) })
    }
}
