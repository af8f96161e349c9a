/// One run as the log tells it at the query's horizon: its job, its state, when it completed and what
/// its processing facet (over the job's defaults) says.
public struct RunSummary: Sendable, Equatable {
    public let runID: String
    public let job: NodeName
    /// The latest state the run reported: `COMPLETE`, `FAIL` or `ABORT` once it has ended (a later
    /// START or RUNNING event does not reopen it), else `START`, `RUNNING` or `OTHER`.
    public let state: String
    /// The event that completed it; only completed runs move data.
    public let completed: EventStamp?
    /// The first event of the run.
    public let started: EventStamp
    public let processing: Processing
    /// The sequence numbers of the run's events, in order.
    public let events: [Int]
}
