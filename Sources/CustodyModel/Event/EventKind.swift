/// The three kinds of OpenLineage 2-0-2 event Custody accepts.
public enum EventKind: String, Sendable, Hashable {
    /// A run of a job, with its inputs and outputs (`run` and `job`).
    case run = "RunEvent"
    /// Inventory facts about one dataset, with no run (`dataset`).
    case dataset = "DatasetEvent"
    /// A job's definition, whose `custody_processing` facet sets defaults for its runs (`job` only).
    case job = "JobEvent"
}

extension EventKind {
    /// The kind of an OpenLineage event, by its members and its `schemaURL`: a `dataset` makes a
    /// DatasetEvent, a `run` or `eventType` a RunEvent, a `job` alone a JobEvent. `nil` for none of these.
    public init?(classifying event: JSONObject) {
        self.init(classifyingEvent: JSONValue.object(event))
    }

    /// `init(classifying:)` for an event read any way (a value that is not an object has no members, so is none).
    /// Inlinable, so a replay gets it made for the stored event's reader rather than a generic one.
    @inlinable
    public init?(classifyingEvent event: some JSONReading) {
        let schemaURL = event["schemaURL"]?.stringValue ?? ""
        if event["dataset"] != nil || schemaURL.hasSuffix("/DatasetEvent") {
            self = .dataset
        } else if event["run"] != nil || event["eventType"] != nil || schemaURL.hasSuffix("/RunEvent") {
            self = .run
        } else if event["job"] != nil || schemaURL.hasSuffix("/JobEvent") {
            self = .job
        } else {
            return nil
        }
    }
}
