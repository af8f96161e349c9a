/// One run as the log tells it at the query's horizon: its job, its state, when it completed and what
/// its processing facet (over the job's defaults) says.
///
/// Immutable, so it behaves as a value; a class so that copying one is one reference count, not one per
/// field: a whole store's profiles list every run as a writer or reader of its datasets, and the rules and
/// findings hand them on by the hundred thousand.
public final class RunSummary: Sendable, Equatable {
    public let runID: String
    public let job: NodeName
    /// The job's row id in the store (see `RunOverview.inputIDs`).
    package let jobID: Int64
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

    init(runID: String, job: NodeName, jobID: Int64, state: String, completed: EventStamp?, started: EventStamp, processing: Processing, events: [Int]) {
        self.runID = runID
        self.job = job
        self.jobID = jobID
        self.state = state
        self.completed = completed
        self.started = started
        self.processing = processing
        self.events = events
    }

    public static func == (lhs: RunSummary, rhs: RunSummary) -> Bool {
        lhs === rhs || (lhs.runID == rhs.runID && lhs.job == rhs.job && lhs.state == rhs.state && lhs.completed == rhs.completed
            && lhs.started == rhs.started && lhs.processing == rhs.processing && lhs.events == rhs.events)
    }
}
