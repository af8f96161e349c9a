import CustodyModel

/// The personal-data taxonomy: categories with their flags, purposes and kinds of data subject, by
/// dotted key. A key matches its ancestors, and flags are inherited by descendants.
public struct Taxonomy: Sendable, Equatable {
    /// One entry as a policy file declares it.
    public struct Entry: Sendable, Equatable {
        public let key: String
        public let name: String
        /// The W3C DPV term, as a compact IRI (`pd:EmailAddress`).
        public let dpv: String?
        public let directIdentifier: Bool
        /// The Art. 9(1) special category this entry is, if any.
        public let specialCategory: String?
        /// Art. 10 data on criminal convictions and offences.
        public let criminal: Bool
        /// Purposes only: further purposes compatible with this one (Art. 6(4)), besides its own descendants.
        public let compatibleWith: [String]

        init(key: String, name: String, dpv: String?, directIdentifier: Bool = false, specialCategory: String? = nil, criminal: Bool = false,
             compatibleWith: [String] = []) {
            self.key = key
            self.name = name
            self.dpv = dpv
            self.directIdentifier = directIdentifier
            self.specialCategory = specialCategory
            self.criminal = criminal
            self.compatibleWith = compatibleWith
        }
    }

    /// What the taxonomy says of a key an event used, flags inherited from its ancestors.
    public struct Resolved: Sendable, Equatable {
        public let key: String
        /// The nearest entry at or above the key; `nil` when the pack does not know the key at all.
        public let entry: Entry?
        public let directIdentifier: Bool
        public let specialCategory: String?
        public let criminal: Bool

        public var isKnown: Bool { entry?.key == key }
    }

    /// The Art. 9(1) special categories a `specialCategory` flag may name.
    public static let specialCategories: Set<String> = [
        "racial_ethnic_origin", "political_opinions", "religious_philosophical_beliefs", "trade_union_membership",
        "genetic", "biometric_for_unique_id", "health", "sex_life_orientation",
    ]

    public internal(set) var categories: [String: Entry] = [:]
    public internal(set) var purposes: [String: Entry] = [:]
    public internal(set) var subjectTypes: [String: Entry] = [:]

    /// Resolves a category key: its own entry if declared, and the flags of it and its ancestors.
    public func category(_ key: String) -> Resolved {
        resolve(key, in: categories)
    }

    public func purpose(_ key: String) -> Resolved {
        resolve(key, in: purposes)
    }

    public func subjectType(_ key: String) -> Resolved {
        resolve(key, in: subjectTypes)
    }

    /// Whether data collected for `original` may be processed further for `further` (Art. 5(1)(b), 6(4)):
    /// `further` is `original` or one of its descendants, or lies within a purpose that the entry of
    /// `original` (or of one of its ancestors) lists as compatible.
    public func purpose(_ further: String, isCompatibleWith original: String) -> Bool {
        if Self.key(further, isWithin: original) { return true }
        return Self.ancestors(of: original).contains { ancestor in
            purposes[ancestor]?.compatibleWith.contains { Self.key(further, isWithin: $0) } ?? false
        }
    }

    /// Whether `key` is `ancestor` or below it (`user.contact.email` is below `user.contact`).
    public static func key(_ key: String, isWithin ancestor: String) -> Bool {
        key == ancestor || key.hasPrefix(ancestor + ".")
    }

    private func resolve(_ key: String, in entries: [String: Entry]) -> Resolved {
        var nearest: Entry?
        var direct = false
        var special: String?
        var criminal = false
        for ancestor in Self.ancestors(of: key) {
            guard let entry = entries[ancestor] else { continue }
            if nearest == nil { nearest = entry }
            direct = direct || entry.directIdentifier
            special = special ?? entry.specialCategory
            criminal = criminal || entry.criminal
        }
        return Resolved(key: key, entry: nearest, directIdentifier: direct, specialCategory: special, criminal: criminal)
    }

    /// `a.b.c`, `a.b`, `a`: the key and its ancestors, nearest first.
    static func ancestors(of key: String) -> [String] {
        var result = [key]
        var current = Substring(key)
        while let dot = current.lastIndex(of: ".") {
            current = current[..<dot]
            result.append(String(current))
        }
        return result
    }
}
