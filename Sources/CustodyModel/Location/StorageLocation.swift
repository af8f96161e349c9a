/// Where a dataset is stored, as an event declares it: a country, or a cloud provider's region that the
/// policy pack maps to a country (`aws:eu-west-1`). Unknown regions are accepted: the pack judges them.
public enum StorageLocation: Hashable, Sendable, CustomStringConvertible {
    case country(CountryCode)
    case providerRegion(provider: String, region: String)

    /// Parses `DE`, `UK` (read as `GB`) or `provider:region`; `nil` for anything else.
    public init?(_ text: String) {
        if let country = CountryCode(text) {
            self = .country(country)
            return
        }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, Self.isProvider(parts[0]), Self.isRegion(parts[1]) else { return nil }
        self = .providerRegion(provider: String(parts[0]), region: String(parts[1]))
    }

    public var description: String {
        switch self {
        case .country(let country): country.code
        case .providerRegion(let provider, let region): "\(provider):\(region)"
        }
    }

    private static func isProvider(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
        return text.utf8.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    private static func isRegion(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, isLowerAlnum(first) || (first >= 0x41 && first <= 0x5A) else { return false }
        return text.utf8.allSatisfy {
            isLowerAlnum($0) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                || $0 == UInt8(ascii: ".")
        }
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
