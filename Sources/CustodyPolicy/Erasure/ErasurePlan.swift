public import CustodyLineage
public import CustodyPack

/// What erasing one person takes, worked out from their trail when they ask (Art. 17, 19): every
/// dataset that holds their data now, confirmed or derived, copies at recipients included (anonymised
/// and aggregated outputs never hold it, so they are not there); those an Art. 17(3) hold of the pack
/// keeps, with the hold; and every recipient the data was disclosed to, with what and when.
public struct ErasurePlan: Sendable {
    public struct Dataset: Sendable {
        public let dataset: NodeName
        public let location: DatasetLocation
        /// An event named the person there (rather than a run carrying their data in).
        public let confirmed: Bool
        /// The recipient the dataset was disclosed to, when it is a recipient's copy.
        public let recipient: String?
        /// The Art. 17(3) hold that keeps it; `nil` for a dataset to erase.
        public let hold: RetentionHold?
    }

    public struct Recipient: Sendable {
        public let recipient: Processing.Recipient
        /// What the recipient received, and when.
        public let disclosures: [SubjectTrail.Disclosure]
    }

    /// Datasets to erase the person from.
    public let erase: [Dataset]
    /// Datasets kept under an Art. 17(3) hold.
    public let held: [Dataset]
    /// Recipients to tell (Art. 19).
    public let notify: [Recipient]

    public init(trail: SubjectTrail, holds: [RetentionHold]) {
        var disclosedTo: [NodeName: String] = [:]
        var byRecipient: [String: (Processing.Recipient, [SubjectTrail.Disclosure])] = [:]
        for disclosure in trail.disclosures {
            for dataset in disclosure.datasets where disclosedTo[dataset] == nil { disclosedTo[dataset] = disclosure.recipient.name }
            byRecipient[disclosure.recipient.name, default: (disclosure.recipient, [])].1.append(disclosure)
        }
        var erase: [Dataset] = [], held: [Dataset] = []
        for holding in trail.datasets where holding.isPresent {
            let hold = holds.first { $0.covers(holding.dataset.id) }
            let item = Dataset(dataset: holding.dataset, location: holding.location, confirmed: holding.isConfirmed,
                recipient: disclosedTo[holding.dataset], hold: hold)
            if hold == nil { erase.append(item) } else { held.append(item) }
        }
        self.erase = erase
        self.held = held
        notify = byRecipient.values.map { Recipient(recipient: $0.0, disclosures: $0.1) }.sorted { $0.recipient.name < $1.recipient.name }
    }
}
