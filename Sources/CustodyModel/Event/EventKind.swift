/// The three kinds of OpenLineage 2-0-2 event Custody accepts.
public enum EventKind: String, Sendable, Hashable {
    /// A run of a job, with its inputs and outputs (`run` and `job`).
    case run = "RunEvent"
    /// Inventory facts about one dataset, with no run (`dataset`).
    case dataset = "DatasetEvent"
    /// A job's definition, whose `custody_processing` facet sets defaults for its runs (`job` only).
    case job = "JobEvent"
}
