/// People named on a dataset again after they were erased from it: written back by a later run or
/// inventory event. Counted, never named: the tokens stay inside the store.
public struct ReturnAfterErasure: Sendable, Equatable {
    public let dataset: NodeName
    /// The erasure (`erasedSubjects`) and the run that made it, if a run did.
    public let erased: EventStamp
    public let erasedBy: RunSummary?
    /// The first event after it that named the same people on the dataset again.
    public let returned: EventStamp
    public let returnedBy: RunSummary?
    public let people: Int
}
