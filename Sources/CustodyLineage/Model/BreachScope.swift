/// What a leak of one dataset exposes (Art. 33, 34): the people in it, the categories it holds, the
/// copies made from it and the recipients they went to.
public struct BreachScope: Sendable {
    public let dataset: NodeName
    public let location: DatasetLocation
    public let categories: [HeldCategory]
    /// People whose data is in the dataset at the horizon, confirmed or derived.
    public let subjects: Int
    /// Of them, people an event named on the dataset.
    public let confirmedSubjects: Int
    /// Datasets that completed runs copied the dataset's personal data into, downstream.
    public let downstream: [NodeName]
    /// Disclosures of the dataset, or of its downstream copies, to recipients.
    public let disclosures: [SubjectTrail.Disclosure]
}
