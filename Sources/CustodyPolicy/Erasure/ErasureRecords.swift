public import CustodyLineage
public import CustodyLog
import CustodyModel
import CustodyPack
public import Foundation

/// The erasure lifecycle's records in the log: runs of Custody's own job `custody`/`erasure`, one facet
/// each. A request (`custody_erasureRequest`) names the person only through its commitment; a notice
/// (`custody_erasureNotice`) records a recipient told; forgetting (`custody_erasureForgotten`) records
/// which items were closed when the vault let go of the person. None of them cites an event or a token:
/// after forgetting, nothing leads from a request to the person's old tokens.
public enum ErasureRecords {
    public static let job = NodeName(.job, namespace: "custody", name: "erasure")
    static let requestFacet = "custody_erasureRequest"
    static let noticeFacet = "custody_erasureNotice"
    static let forgottenFacet = "custody_erasureForgotten"

    /// Every request the records show, in the order they were made, with their notices and forgetting.
    public static func requests(in entries: [LogEntry]) -> [ErasureRequest] {
        var requests: [ErasureRequest] = []
        var index: [String: Int] = [:]
        for entry in entries {
            let at = entry.event["eventTime"]?.stringValue.flatMap(RFC3339.parseInstant) ?? .distantPast
            if let facet = CustodyRecord.facet(requestFacet, of: entry), let request = request(facet, seq: entry.seq, at: at) {
                index[request.id] = requests.count
                requests.append(request)
            } else if let facet = CustodyRecord.facet(noticeFacet, of: entry), let id = facet["requestId"]?.stringValue,
                let position = index[id], let recipient = facet["recipient"]?.stringValue
            {
                requests[position].notices.append(.init(seq: entry.seq, at: at, recipient: recipient, impossible: facet["impossible"]?.stringValue))
            } else if let facet = CustodyRecord.facet(forgottenFacet, of: entry), let id = facet["requestId"]?.stringValue,
                let position = index[id], requests[position].forgotten == nil
            {
                requests[position].forgotten = .init(seq: entry.seq, at: at, why: facet["why"]?.stringValue ?? "complete",
                    closed: strings(facet["closed"]))
            }
        }
        return requests
    }

    private static func request(_ facet: JSONValue, seq: Int, at: Date) -> ErasureRequest? {
        guard let id = facet["requestId"]?.stringValue, let commitment = facet["commitment"]?.stringValue else { return nil }
        guard case .array(let values)? = facet["items"] else { return nil }
        let items: [ErasureRequest.Item] = values.compactMap { value in
            guard let id = value["id"]?.stringValue, let kind = value["kind"]?.stringValue.flatMap(ErasureRequest.Item.Kind.init) else { return nil }
            var received: [ErasureRequest.Item.Received] = []
            if case .array(let list)? = value["received"] {
                received = list.compactMap { entry in
                    guard let dataset = entry["dataset"]?.stringValue, let at = entry["at"]?.stringValue else { return nil }
                    return .init(dataset: dataset, at: at)
                }
            }
            return .init(id: id, kind: kind, dataset: value["dataset"]?.stringValue, location: value["location"]?.stringValue,
                recipient: value["recipient"]?.stringValue, role: value["role"]?.stringValue, country: value["country"]?.stringValue,
                received: received, hold: value["hold"]?.stringValue, holdGround: value["holdGround"]?.stringValue,
                holdReason: value["holdReason"]?.stringValue)
        }
        let dueBy = facet["dueBy"]?.stringValue.flatMap(RFC3339.parseInstant) ?? OneMonth.after(at)
        let identifiers = facet["identifiers"].flatMap { value -> Int? in
            if case .number(let number) = value { return Int(number.literal) }
            return nil
        } ?? 1
        return ErasureRequest(id: id, seq: seq, receivedAt: at, dueBy: dueBy, ground: facet["ground"]?.stringValue,
            reason: facet["reason"]?.stringValue, commitment: commitment, identifiers: identifiers,
            packDigest: facet["packDigest"]?.stringValue ?? "", items: items)
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let values)? = value else { return [] }
        return values.compactMap(\.stringValue)
    }

    /// The items of a new request, in a stable order: datasets to erase, datasets held, recipients.
    static func items(of plan: ErasurePlan) -> [ErasureRequest.Item] {
        func dataset(_ entry: ErasurePlan.Dataset, _ kind: ErasureRequest.Item.Kind) -> ErasureRequest.Item {
            .init(id: "\(kind.rawValue):\(entry.dataset.id)", kind: kind, dataset: entry.dataset.id, location: entry.location.text,
                recipient: entry.recipient, role: nil, country: entry.location.country?.code, received: [], hold: entry.hold?.id,
                holdGround: entry.hold?.ground, holdReason: entry.hold?.reason)
        }
        let notify = plan.notify.map { entry in
            ErasureRequest.Item(id: "notify:\(entry.recipient.name)", kind: .notify, dataset: nil, location: nil, recipient: entry.recipient.name,
                role: entry.recipient.role, country: entry.recipient.country ?? entry.recipient.internationalOrganisation,
                received: entry.disclosures.flatMap { disclosure in
                    disclosure.datasets.map { ErasureRequest.Item.Received(dataset: $0.id, at: RFC3339.format(disclosure.at.time)) }
                }, hold: nil, holdGround: nil, holdReason: nil)
        }
        return plan.erase.map { dataset($0, .erase) } + plan.held.map { dataset($0, .hold) } + notify
    }

    static func requestEvent(id: String, commitment: String, identifiers: Int, ground: String?, reason: String?, packDigest: String,
                             items: [ErasureRequest.Item], at: Date, runID: UUID) throws -> String {
        func optional(_ key: String, _ value: String?) -> [(key: String, value: JSONValue)] { value.map { [(key, .string($0))] } ?? [] }
        let values: [JSONValue] = items.map { item in
            var members: [(key: String, value: JSONValue)] = [("id", .string(item.id)), ("kind", .string(item.kind.rawValue))]
            members += optional("dataset", item.dataset) + optional("location", item.location) + optional("recipient", item.recipient)
                + optional("role", item.role) + optional("country", item.country)
            if !item.received.isEmpty {
                members.append(("received", .array(item.received.map { .object(JSONObject([("dataset", .string($0.dataset)), ("at", .string($0.at))])) })))
            }
            members += optional("hold", item.hold) + optional("holdGround", item.holdGround) + optional("holdReason", item.holdReason)
            return .object(JSONObject(members))
        }
        let members: [(key: String, value: JSONValue)] = [("requestId", .string(id)), ("commitment", .string(commitment)),
            ("identifiers", CustodyRecord.number(identifiers))] + optional("ground", ground) + optional("reason", reason)
            + [("dueBy", .string(RFC3339.format(OneMonth.after(at)))), ("packDigest", .string(packDigest)), ("items", .array(values))]
        return try CustodyRecord.event(job: job, runID: runID, at: at, facet: requestFacet, schema: "urn:custody:facet:ErasureRequestRunFacet:1",
            members: members)
    }

    static func noticeEvent(request: String, recipient: String, impossible: String?, at: Date, runID: UUID) throws -> String {
        try CustodyRecord.event(job: job, runID: runID, at: at, facet: noticeFacet, schema: "urn:custody:facet:ErasureNoticeRunFacet:1",
            members: [("requestId", .string(request)), ("recipient", .string(recipient))] + (impossible.map { [("impossible", .string($0))] } ?? []))
    }

    static func forgottenEvent(request: String, why: String, closed: [String], at: Date, runID: UUID) throws -> String {
        try CustodyRecord.event(job: job, runID: runID, at: at, facet: forgottenFacet, schema: "urn:custody:facet:ErasureForgottenRunFacet:1",
            members: [("requestId", .string(request)), ("why", .string(why)), ("closed", .array(closed.map { .string($0) }))])
    }
}

/// One calendar month after a date (Art. 12(3)), in UTC; the last day of a shorter month when the day
/// is missing.
public enum OneMonth {
    public static func after(_ date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .month, value: 1, to: date) ?? date
    }
}
