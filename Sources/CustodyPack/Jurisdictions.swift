public import CustodyModel
import Foundation

/// Where data is: EEA membership, territories that count as part of an EEA state, the countries of
/// cloud regions, and dataset namespaces whose location is known.
public struct Jurisdictions: Sendable, Equatable {
    /// A namespace pattern (`*` is any run of characters) and the location it implies.
    public struct NamespaceRule: Sendable, Equatable {
        public let pattern: String
        public let location: StorageLocation
    }

    public internal(set) var eea: Set<CountryCode> = []
    /// Territory → the EEA state it belongs to for the GDPR (Åland → FI).
    public internal(set) var territories: [CountryCode: CountryCode] = [:]
    /// provider → region → country.
    public internal(set) var providerRegions: [String: [String: CountryCode]] = [:]
    /// Tried in order; the first match wins.
    public internal(set) var namespaceRules: [NamespaceRule] = []

    /// The country of a declared location, or `nil` for a provider region the pack does not know.
    public func country(of location: StorageLocation) -> CountryCode? {
        switch location {
        case .country(let country): country
        case .providerRegion(let provider, let region): providerRegions[provider]?[region]
        }
    }

    /// The location a dataset's namespace implies, when the pack knows it.
    public func location(forNamespace namespace: String) -> StorageLocation? {
        namespaceRules.first { Self.glob($0.pattern, matches: namespace) }?.location
    }

    /// Whether the GDPR applies in `country` directly, so that storing data there is no transfer.
    public func isInEEA(_ country: CountryCode) -> Bool {
        eea.contains(territories[country] ?? country)
    }

    /// `*` matches any run of characters; everything else matches itself; the whole text must match.
    public static func glob(_ pattern: String, matches text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return pattern == text }
        guard text.hasPrefix(parts[0]) else { return false }
        var rest = Substring(text.dropFirst(parts[0].count))
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(parts.last!)
    }
}
