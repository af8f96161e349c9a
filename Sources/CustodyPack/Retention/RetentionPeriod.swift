public import CustodyModel

/// How long data may be kept (Art. 5(1)(e)): for data serving some purposes and/or holding some
/// categories, a period counted from the data's first write, or from each person's arrival.
public struct RetentionPeriod: Sendable, Equatable {
    /// When the period starts.
    public enum Clock: String, Sendable, Equatable {
        /// The first completed write of the data (of the dataset, or of the one it was copied from).
        case firstWrite
        /// Each person's arrival in the dataset, for the people an event named there; datasets where no
        /// event named anyone (copies) fall back to the first write.
        case presence
    }

    public let id: String
    /// Data serving a purpose within one of these; nil: any purpose.
    public let purposes: [String]?
    /// Data holding a category within one of these; nil: any category.
    public let categories: [String]?
    public let period: ISO8601Duration
    public let clock: Clock
    public let notes: String?
}
