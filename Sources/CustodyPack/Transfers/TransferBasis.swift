public import CustodyModel

/// A Chapter V basis the controller has recorded once for a location or a recipient, so that the runs
/// that store data there or disclose it need not each name it (SCCs with a cloud provider for its US
/// regions, BCRs with a group company).
public struct TransferBasis: Sendable, Equatable {
    /// What the basis is for.
    public enum Target: Sendable, Equatable, CustomStringConvertible {
        /// Datasets stored at this location: a country covers every region in it, a region only itself.
        case location(StorageLocation)
        /// Disclosures to the recipient of this name.
        case recipient(String)

        public var description: String {
            switch self {
            case .location(let location): "location \(location)"
            case .recipient(let name): "recipient \(name)"
            }
        }
    }

    public let target: Target
    /// An Art. 46 tool (`scc_commission`, …) or `derogation:<name>` (Art. 49).
    public let mechanism: String
    /// The transfer impact assessment an Art. 46 tool needs (Schrems II).
    public let tiaRef: String?
    /// The supervisory authority's authorisation, for Art. 46(3) tools.
    public let authorisationRef: String?
    public let notes: String?
}
