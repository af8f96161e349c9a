public import CustodyModel

/// Chapter V as the pack knows it: international organisations, adequacy decisions, and the transfer
/// bases the controller has recorded.
public struct TransferRules: Sendable, Equatable {
    public internal(set) var organisations: [String: InternationalOrganisation] = [:]
    /// By jurisdiction: a country code or an organisation's id.
    public internal(set) var adequacy: [String: AdequacyDecision] = [:]
    public internal(set) var bases: [TransferBasis] = []

    /// The bases recorded for data stored at `location` (in `country`): for that exact location, or for
    /// the whole country.
    public func bases(forLocation location: StorageLocation?, country: CountryCode?) -> [TransferBasis] {
        bases.filter { basis in
            guard case .location(let target) = basis.target else { return false }
            if target == location { return true }
            if case .country(let whole) = target, whole == country { return true }
            return false
        }
    }

    /// The bases recorded for disclosures to the recipient called `name`.
    public func bases(forRecipient name: String) -> [TransferBasis] {
        bases.filter { $0.target == .recipient(name) }
    }
}
