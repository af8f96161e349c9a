/// Where one person's data is and was: the answer behind `custody subject` and the DSAR.
public struct SubjectTrail: Sendable {
    /// How many of the identifiers asked about the vault knows (zero: no data held).
    public let knownIdentifiers: Int
    /// Every dataset that holds or held the person's data, confirmed or derived, by name.
    public let datasets: [Holding]
    /// Recipients the person's data was disclosed to.
    public let disclosures: [Disclosure]
    /// `access` runs whose inputs named the person (C-579/21).
    public let consultations: [Consultation]
    /// Where the person's data was removed: erasures, DROP, TRUNCATE, OVERWRITE.
    public let removals: [Removal]
    /// The collecting runs that brought the person's data in, with their sources.
    public let collections: [Collection]
    /// Every hop of the person's data from one dataset to another by a completed run, also into a dataset
    /// that already held it (a period records only the hop that began it).
    public let carries: [Carry]

    /// No dataset holds or held anything of the person.
    public var holdsNoData: Bool { datasets.isEmpty }

    /// One dataset and the periods the person's data was in it.
    public struct Holding: Sendable {
        public let dataset: NodeName
        public let location: DatasetLocation
        public let periods: [Period]
        /// The person's data is there now (at the horizon).
        public var isPresent: Bool { periods.contains { $0.until == nil } }
        /// Confirmed somewhere in its periods: an event named the person on this dataset.
        public var isConfirmed: Bool { periods.contains { $0.confirmed } }
    }

    /// A stretch of time the person's data was in a dataset.
    public struct Period: Sendable {
        public let since: EventStamp
        /// Confirmed (an event named the person on the dataset) or derived (carried by a run).
        public let confirmed: Bool
        /// The run that brought the data, if a run did (a DatasetEvent has none).
        public let run: RunSummary?
        /// For derived presence, the dataset the run read the person's data from.
        public let from: NodeName?
        /// When and how it ended; `nil` while present.
        public let until: Removal?
    }

    public struct Removal: Sendable, Equatable {
        public let dataset: NodeName
        public let at: EventStamp
        /// `erasure` (the person was named in `erasedSubjects`), `DROP`, `TRUNCATE` or `OVERWRITE`.
        public let how: String
        public let run: RunSummary?
    }

    public struct Disclosure: Sendable {
        public let recipient: Processing.Recipient
        public let at: EventStamp
        public let run: RunSummary
        /// The datasets disclosed: the run's outputs, or for `access` its inputs.
        public let datasets: [NodeName]
    }

    public struct Consultation: Sendable {
        public let at: EventStamp
        public let run: RunSummary
        public let datasets: [NodeName]
    }

    public struct Carry: Sendable, Equatable {
        public let from: NodeName
        public let to: NodeName
        public let at: EventStamp
    }

    public struct Collection: Sendable {
        public let dataset: NodeName
        public let at: EventStamp
        public let run: RunSummary
    }
}
