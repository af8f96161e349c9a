public import CustodyModel

/// Where a dataset is stored: as its latest event declared it, else as the pack's namespace patterns
/// imply, else unknown.
public struct DatasetLocation: Sendable, Equatable {
    public enum Origin: String, Sendable {
        /// The `location` of the dataset's `custody_personalData` facet.
        case declared
        /// A namespace pattern of the policy pack.
        case namespace
        case unknown
    }

    /// The location as written (`DE`, `aws:eu-west-1`), or `nil` when unknown.
    public let text: String?
    public let origin: Origin
    /// The country the pack maps it to, or `nil` (an unknown provider region, or no location at all).
    public let country: CountryCode?
    /// Whether that country is in the EEA (or a territory counted as part of an EEA state).
    public let inEEA: Bool?
    /// The event that declared it.
    public let declaredBy: EventStamp?
}
