public import CustodyLog
import CustodyModel

/// One recorded event as an audit trail lists it: where it sits in the log, what it says it did, and the
/// leaf hash that proves it. What the event itself says; nothing derived from other events.
public struct LoggedEvent: Sendable {
    public let seq: Int
    public let recordedAt: String
    /// As the producer sent it.
    public let eventTime: String
    /// `RunEvent`, `DatasetEvent` or `JobEvent`.
    public let kind: String
    /// `START`, `COMPLETE`, … for a RunEvent.
    public let eventType: String?
    public let job: NodeName?
    public let runID: String?
    /// The event's own `custody_processing` facet, the run's laid over the job's (nil: it sent none).
    public let processing: Processing?
    public let inputs: [NodeName]
    public let outputs: [NodeName]
    /// The dataset a DatasetEvent describes.
    public let dataset: NodeName?
    public let leafHash: SHA256Hash

    init(_ entry: LogEntry, leafHash: SHA256Hash) {
        let event = entry.event
        seq = entry.seq
        recordedAt = entry.recordedAt
        eventTime = event["eventTime"]?.stringValue ?? ""
        let object: JSONObject
        if case .object(let members) = event { object = members } else { object = JSONObject() }
        kind = EventKind(classifying: object)?.rawValue ?? "event"
        eventType = event["eventType"]?.stringValue
        func node(_ kind: NodeName.Kind, _ value: JSONValue?) -> NodeName? {
            guard let namespace = value?["namespace"]?.stringValue, let name = value?["name"]?.stringValue else { return nil }
            return NodeName(kind, namespace: namespace, name: name)
        }
        job = node(.job, event["job"])
        runID = event["run"]?["runId"]?.stringValue
        let runFacet = event["run"]?["facets"]?[ProcessingFacet.name], jobFacet = event["job"]?["facets"]?[ProcessingFacet.name]
        processing = runFacet == nil && jobFacet == nil ? nil : Processing(run: runFacet, job: jobFacet)
        func nodes(_ value: JSONValue?) -> [NodeName] {
            guard case .array(let entries)? = value else { return [] }
            return entries.compactMap { node(.dataset, $0) }
        }
        inputs = nodes(event["inputs"])
        outputs = nodes(event["outputs"])
        dataset = node(.dataset, event["dataset"])
        self.leafHash = leafHash
    }
}

extension Lineage {
    /// Calls `body` with every event of `range` the view sees (recorded by its `knownAt`, within its
    /// pinned size), in sequence order, a page at a time: an audit trail of any length in flat memory.
    public func forEachEvent(in range: Range<Int>, _ body: (LoggedEvent) throws -> Void) throws {
        try forEachEvent(in: range, preparing: { $0 }, body)
    }

    /// `forEachEvent(in:_:)` for a caller that makes something of each event: `prepare` runs on another
    /// thread, a page ahead of `body`, so the making overlaps what `body` does with the page before.
    public func forEachEvent<Prepared: Sendable>(in range: Range<Int>, preparing prepare: @escaping @Sendable (LoggedEvent) -> Prepared,
                                                 _ body: (Prepared) throws -> Void) throws {
        let upper = min(range.upperBound, try logSize())
        guard range.lowerBound < upper else { return }
        try store.forEachEntry(in: range.lowerBound..<upper, preparing: { entry, leafHash in prepare(LoggedEvent(entry, leafHash: leafHash)) }, body)
    }
}
