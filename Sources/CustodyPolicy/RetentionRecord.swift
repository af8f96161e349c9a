public import CustodyLineage
public import CustodyLog
import CustodyModel
import CustodyPack
public import Foundation

/// Recording a retention plan in the log (`custody retention --apply`). The items past their deadline
/// and not held become one event of Custody's own job, `custody`/`retention`: an OpenLineage RunEvent
/// whose `custody_retentionPlan` run facet lists them, so the log itself shows when the controller knew
/// what had to go. An item is the same item when its dataset, person, period and deadline are (a plan
/// names no person: its items are whole datasets); items recorded before are not recorded again.
public struct RetentionRecord: Sendable {
    public static let job = NodeName(.job, namespace: "custody", name: "retention")
    public static let facet = "custody_retentionPlan"
    static let facetSchema = "urn:custody:facet:RetentionPlanRunFacet:1"

    /// What makes two recorded items the same.
    public struct Key: Hashable, Sendable {
        /// The dataset's node id.
        public let dataset: String
        /// The person's token; empty for an item about the whole dataset.
        public let person: String
        public let period: String
        /// RFC 3339.
        public let deadline: String
    }

    /// The items of the plan that are to be recorded: past their deadline and not held.
    public let due: [RetentionPlan.Item]
    /// Those not recorded by an earlier plan event: what `--apply` records now.
    public let new: [RetentionPlan.Item]
    /// The sequence numbers of the plan events already in the log.
    public let earlier: [Int]

    /// Compares the plan with the plan events the log already holds (`Lineage.events(ofJob: job)`).
    public init(plan: RetentionPlan, recorded: [LogEntry]) {
        let known = Set(Self.recordedItems(in: recorded).map(\.key))
        due = plan.items.filter { $0.status == .overdue }
        new = due.filter { !known.contains(Self.key(of: $0)) }
        earlier = recorded.filter { CustodyRecord.facet(Self.facet, of: $0) != nil }.map(\.seq)
    }

    /// One item of a recorded plan, and whether later events closed it.
    public struct RecordedItem: Sendable {
        /// The plan event that recorded it.
        public let plan: Int
        public let key: Key
        public let purpose: String?
        /// The first DROP, TRUNCATE or OVERWRITE of the dataset after the plan was recorded; `nil` while open.
        public internal(set) var closedBy: SubjectTrail.Removal?
    }

    /// The items of every plan event in `recorded`, in the order they were recorded.
    static func recordedItems(in recorded: [LogEntry]) -> [RecordedItem] {
        recorded.flatMap { entry -> [RecordedItem] in
            guard case .array(let items)? = CustodyRecord.facet(Self.facet, of: entry)?["items"] else { return [] }
            return items.compactMap { item in
                guard let dataset = item["dataset"]?.stringValue, let period = item["period"]?.stringValue,
                    let deadline = item["deadline"]?.stringValue else { return nil }
                return RecordedItem(plan: entry.seq, key: Key(dataset: dataset, person: item["person"]?.stringValue ?? "", period: period,
                    deadline: deadline), purpose: item["purpose"]?.stringValue, closedBy: nil)
            }
        }
    }

    /// The items the log's plan events recorded, each closed by the first event after its plan that
    /// cleared the dataset (DROP, TRUNCATE or OVERWRITE), the way pipeline events close the items of an
    /// erasure request. A plan item is a whole dataset, so erasing some of its people does not close it.
    public static func recordedItems(_ lineage: Lineage) throws -> [RecordedItem] {
        var items = recordedItems(in: try lineage.events(ofJob: job))
        for index in items.indices {
            items[index].closedBy = try lineage.removals(recordedAs: [], from: [items[index].key.dataset], after: items[index].plan)
                .values.first
        }
        return items
    }

    static func key(of item: RetentionPlan.Item) -> Key {
        Key(dataset: item.dataset.id, person: "", period: item.period.id, deadline: RFC3339.format(item.deadline))
    }

    /// The event recording the new items, as one JSON line: a completed run of `custody`/`retention` at
    /// `at`, with the pack's digest and each item's dataset, period, purpose, deadline, clock start and
    /// the people named there.
    public func event(runID: UUID, at: Date, plan: RetentionPlan) throws -> String {
        func string(_ text: String) -> JSONValue { .string(text) }
        let items: [JSONValue] = new.map { item in
            var members: [(key: String, value: JSONValue)] = [
                ("dataset", string(item.dataset.id)), ("namespace", string(item.dataset.namespace)), ("name", string(item.dataset.name)),
                ("period", string(item.period.id)), ("duration", string(item.period.period.text)),
                ("deadline", string(RFC3339.format(item.deadline))), ("clockStart", string(RFC3339.format(item.clockStart.time))),
                ("confirmedSubjects", CustodyRecord.number(item.confirmedSubjects)),
            ]
            if let purpose = item.purpose { members.append(("purpose", string(purpose))) }
            if let past = item.peoplePastDeadline { members.append(("peoplePastDeadline", CustodyRecord.number(past))) }
            return .object(JSONObject(members))
        }
        return try CustodyRecord.event(job: Self.job, runID: runID, at: at, facet: Self.facet, schema: Self.facetSchema, members: [
            ("asOf", string(RFC3339.format(plan.at))), ("packDigest", string(plan.packDigest)), ("items", .array(items)),
        ])
    }
}
