import Foundation

/// A data subject's identifier in its normalised form, the form the vault keys on.
///
/// `scheme:value` or a bare value. Known schemes are normalised: `email` (trimmed, lower-cased) and
/// `phone` (`+` and digits only). A bare value that is an e-mail address becomes `email:…`; any other
/// bare value is kept as given, trimmed and in Unicode NFC. So `Alice@Example.com`,
/// `email:alice@example.com` and ` EMAIL:Alice@example.com ` are one person.
public struct SubjectIdentifier: Hashable, Sendable {
    /// The normalised identifier. It is personal data: never write it to the store or to a log line.
    public let normalized: String

    /// Normalises `raw`; `nil` when nothing identifying is left (empty, or a phone number without digits).
    public init?(_ raw: String) {
        let trimmed = Self.trimmedNFC(raw)
        guard !trimmed.isEmpty else { return nil }
        if let colon = trimmed.firstIndex(of: ":"), Self.isScheme(trimmed[..<colon]) {
            let scheme = trimmed[..<colon].lowercased()
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch scheme {
            case "email":
                guard !value.isEmpty else { return nil }
                normalized = "email:" + value.lowercased()
            case "phone", "tel":
                let kept = value.filter { $0 == "+" || ($0.isASCII && $0.isNumber) }
                guard kept.contains(where: \.isNumber) else { return nil }
                normalized = "phone:" + kept
            default:
                guard !value.isEmpty else { return nil }
                normalized = scheme + ":" + value
            }
        } else if Self.looksLikeEmail(trimmed) {
            normalized = "email:" + trimmed.lowercased()
        } else {
            normalized = trimmed
        }
    }

    /// An identifier already in normalised form (normalisation is idempotent, so it is not redone).
    init(alreadyNormalized: String) {
        normalized = alreadyNormalized
    }

    /// Trimmed and in NFC. ASCII text, most identifiers, is already NFC and is trimmed without Foundation.
    private static func trimmedNFC(_ raw: String) -> String {
        let utf8 = raw.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else {
            return raw.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return raw }
        return String(raw[first...last])
    }

    private static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCIILetter else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || "+.-".unicodeScalars.contains($0) }
    }

    private static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix(".")
        else { return false }
        return !text.contains(where: { $0.isWhitespace })
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
