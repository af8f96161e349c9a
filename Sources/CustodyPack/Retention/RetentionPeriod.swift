public import CustodyModel

/// How long data may be kept (Art. 5(1)(e)): for data serving some purposes and/or holding some
/// categories, a period counted from the dataset's first write.
public struct RetentionPeriod: Sendable, Equatable {
    public let id: String
    /// Data serving a purpose within one of these; nil: any purpose.
    public let purposes: [String]?
    /// Data holding a category within one of these; nil: any category.
    public let categories: [String]?
    public let period: ISO8601Duration
    public let notes: String?
}
