/// One dataset as the log shows it at the query's horizon: `custody dataset` and `custody datasets`.
///
/// Immutable, so it behaves as a value; a class so that copying one is a reference count, not a dozen:
/// whole-store questions hand a hundred thousand of them from lineage to the rules, which find them by row id.
public final class DatasetProfile: Sendable, Equatable {
    public let dataset: NodeName
    /// The dataset's row id in the store (see `RunOverview.inputIDs`).
    package let storeID: Int64
    public let location: DatasetLocation
    /// Every category the dataset holds, declared or carried in, with where it came from.
    public let categories: [HeldCategory]
    public let subjectTypes: [String]
    /// The declared retention (ISO 8601 duration), from the latest event that declared one.
    public let retention: String?
    /// Declared `anonymous: true` (Recital 26): nothing personal flows into it.
    public let declaredAnonymous: Bool
    /// Written by a `pseudonymize` run: still personal data, direct identifiers removed.
    public let pseudonymised: Bool
    /// The purposes of the runs that wrote or read it.
    public let purposes: [String]
    /// The purposes its data was collected for: those of the completed `collect` runs that wrote it, and
    /// those behind the data completed runs carried into it (any operation but `collect`, `anonymize`,
    /// `erase` and `access`). What purpose limitation (Art. 5(1)(b), 6(4)) compares later purposes with.
    public let collectionPurposes: [String]
    /// Its earliest completed write, or the earliest write of the people's data that runs copied into it
    /// (not through `aggregate`, `anonymize`, `erase` or `access`): where a retention clock starts.
    public let firstWrite: FirstWrite?
    /// For each person an event named on the dataset whose presence has not ended, since when they have
    /// been there (earliest first); who they are stays in the store.
    public let confirmedArrivals: [EventStamp]
    /// People an event named on the dataset whose presence has not ended.
    public var confirmedSubjects: Int { confirmedArrivals.count }
    /// Completed runs that wrote it, and runs that read it. The profiles the policy engine judges part of the
    /// store with (`Lineage.neighbourhood(ofEvents:in:keeping:)`) list no readers: the rules take only their purposes.
    public let writers: [RunSummary]
    public let readers: [RunSummary]
    /// DROP, TRUNCATE and OVERWRITE events.
    public let clears: [SubjectTrail.Removal]
    /// The events whose facts about the dataset were counted.
    public let evidence: [Int]

    init(dataset: NodeName, storeID: Int64, location: DatasetLocation, categories: [HeldCategory], subjectTypes: [String], retention: String?,
         declaredAnonymous: Bool, pseudonymised: Bool, purposes: [String], collectionPurposes: [String], firstWrite: FirstWrite?,
         confirmedArrivals: [EventStamp], writers: [RunSummary], readers: [RunSummary], clears: [SubjectTrail.Removal], evidence: [Int]) {
        self.dataset = dataset
        self.storeID = storeID
        self.location = location
        self.categories = categories
        self.subjectTypes = subjectTypes
        self.retention = retention
        self.declaredAnonymous = declaredAnonymous
        self.pseudonymised = pseudonymised
        self.purposes = purposes
        self.collectionPurposes = collectionPurposes
        self.firstWrite = firstWrite
        self.confirmedArrivals = confirmedArrivals
        self.writers = writers
        self.readers = readers
        self.clears = clears
        self.evidence = evidence
    }

    public static func == (lhs: DatasetProfile, rhs: DatasetProfile) -> Bool {
        lhs === rhs || (lhs.dataset == rhs.dataset && lhs.location == rhs.location && lhs.categories == rhs.categories
            && lhs.subjectTypes == rhs.subjectTypes && lhs.retention == rhs.retention && lhs.declaredAnonymous == rhs.declaredAnonymous
            && lhs.pseudonymised == rhs.pseudonymised && lhs.purposes == rhs.purposes && lhs.collectionPurposes == rhs.collectionPurposes
            && lhs.firstWrite == rhs.firstWrite && lhs.confirmedArrivals == rhs.confirmedArrivals
            && lhs.writers == rhs.writers && lhs.readers == rhs.readers && lhs.clears == rhs.clears && lhs.evidence == rhs.evidence)
    }
}

extension DatasetProfile {
    /// When data was first written, and in which dataset.
    public struct FirstWrite: Sendable, Equatable {
        public let at: EventStamp
        public let dataset: NodeName
    }
}

/// A category a dataset holds.
public struct HeldCategory: Sendable, Equatable {
    public let key: String
    /// The columns it is in; empty when it is on the dataset as a whole.
    public let columns: [String]
    /// Declared on the dataset by an event (as opposed to only carried in).
    public let declared: Bool
    /// The datasets it was carried in from.
    public let from: [NodeName]
}
