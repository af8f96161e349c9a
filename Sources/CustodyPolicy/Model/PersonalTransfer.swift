public import CustodyLineage

/// One movement of a person's data to a third country or an international organisation, with its
/// Chapter V answer: what a DSAR tells under Art. 15(2).
public struct PersonalTransfer: Sendable {
    /// The dataset the data went to (storage abroad), or the datasets disclosed to a recipient.
    public let datasets: [NodeName]
    /// The recipient, for a disclosure.
    public let recipient: Processing.Recipient?
    /// When the data moved.
    public let at: EventStamp
    /// The run that moved it, if a run did.
    public let run: RunSummary?
    public let assessment: TransferAssessment
}
