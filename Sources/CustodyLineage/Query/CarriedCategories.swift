import CustodyModel
import CustodyPack

/// The categories one dataset holds as the events make them, before the pack is applied: each category
/// key, on the whole dataset or on a column, with where it came from and the kinds of path that brought it.
///
/// The pack decides two things about a key that propagation depends on: whether it is a direct identifier
/// (a `pseudonymize` step stops those) and whether a classification tag names a category it knows. Keeping,
/// for each key, which kinds of path reached it (declared as a category or tagged; through a pseudonymisation
/// step or not) lets the lineage projection store this once for every dataset, as events arrive, while the
/// pack is still applied when a question is asked (`applying(_:)`): a changed pack needs no recomputation.
///
/// Two more facts travel along the same runs and are kept with the categories, since the rules would
/// otherwise walk everything upstream for them: the purposes the data was collected for and its first write.
struct CarriedCategories: Equatable {
    /// One category key on the whole dataset (`field` nil) or a column, from an input (`source`) or
    /// declared on the dataset itself (`source` 0; dataset ids count up from 1).
    struct Origin: Hashable, Comparable {
        let field: String?
        let key: String
        let source: Int64

        static func < (lhs: Origin, rhs: Origin) -> Bool {
            // Whole-dataset keys first, then columns by name.
            if lhs.field != rhs.field {
                guard let left = lhs.field else { return true }
                guard let right = rhs.field else { return false }
                return left < right
            }
            return (lhs.key, lhs.source) < (rhs.key, rhs.source)
        }
    }

    /// The kinds of path by which a key reached a dataset.
    struct Paths: OptionSet, Hashable {
        let rawValue: UInt8
        /// Declared as a category, with no pseudonymisation step on the way.
        static let declared = Paths(rawValue: 1)
        /// Declared as a category, through at least one pseudonymisation step.
        static let declaredPseudonymised = Paths(rawValue: 2)
        /// From a classification tag, with no pseudonymisation step.
        static let tagged = Paths(rawValue: 4)
        /// From a classification tag, through at least one pseudonymisation step.
        static let taggedPseudonymised = Paths(rawValue: 8)

        /// The same paths continued through a pseudonymisation step.
        var pseudonymised: Paths {
            Paths(rawValue: ((rawValue & 0b0101) << 1) | (rawValue & 0b1010))
        }

        /// Whether, under the pack's verdict on the key, one of the paths carries it.
        func carry(known: Bool, directIdentifier: Bool) -> Bool {
            contains(.declared) || (contains(.declaredPseudonymised) && !directIdentifier)
                || (known && (contains(.tagged) || (contains(.taggedPseudonymised) && !directIdentifier)))
        }
    }

    /// One origin and its paths. A dataset holds a handful, so a list searched in order beats a hash table.
    struct Entry: Equatable {
        let origin: Origin
        var paths: Paths
    }

    /// A dataset's earliest completed write: when (the completing event), and the dataset written then (the
    /// dataset itself, or one upstream whose people runs copied into it). Ordered by time, then by sequence
    /// number, then by dataset id, so that a tie has one answer however the fixed point got there.
    struct FirstWrite: Comparable {
        let time: Int64
        let seq: Int
        let origin: Int64

        static func < (lhs: FirstWrite, rhs: FirstWrite) -> Bool {
            (lhs.time, lhs.seq, lhs.origin) < (rhs.time, rhs.seq, rhs.origin)
        }
    }

    private(set) var entries: [Entry] = []
    /// A completed `pseudonymize` run wrote the dataset.
    var pseudonymised = false
    /// The purposes of the `collect` runs behind the data: those that wrote the dataset, and those behind
    /// the inputs of the completed runs that carried data into it (any run but `collect`, `anonymize`,
    /// `erase` and `access`). What purpose limitation (Art. 5(1)(b)) compares later purposes with.
    private(set) var collectionPurposes: Set<String> = []
    /// The earliest completed write of the data, carried along the runs that copy people's data
    /// (`Processing.carriesSubjects`): where retention clocks start.
    private(set) var firstWrite: FirstWrite?

    var isEmpty: Bool { entries.isEmpty && !pseudonymised && collectionPurposes.isEmpty && firstWrite == nil }

    /// Adds collection purposes; returns whether that changed anything.
    @discardableResult
    mutating func add(collectionPurposes purposes: some Sequence<String>) -> Bool {
        var changed = false
        for purpose in purposes where collectionPurposes.insert(purpose).inserted { changed = true }
        return changed
    }

    /// `add(collectionPurposes:)` for another dataset's purposes: taken whole when there are none yet, so that
    /// datasets down a chain share one set rather than each hashing its way to a copy.
    @discardableResult
    mutating func add(collectionPurposes purposes: Set<String>) -> Bool {
        guard !collectionPurposes.isEmpty else {
            collectionPurposes = purposes
            return !purposes.isEmpty
        }
        var changed = false
        for purpose in purposes where collectionPurposes.insert(purpose).inserted { changed = true }
        return changed
    }

    /// Keeps `candidate` if it is earlier than the first write known; returns whether it was.
    @discardableResult
    mutating func offer(firstWrite candidate: FirstWrite) -> Bool {
        guard firstWrite.map({ candidate < $0 }) ?? true else { return false }
        firstWrite = candidate
        return true
    }

    /// Adds a key's paths from one origin; returns whether that changed anything. Entries stay in origin
    /// order, the order they are stored in.
    @discardableResult
    mutating func add(_ key: String, field: String?, from source: Int64, _ paths: Paths) -> Bool {
        for index in entries.indices where entries[index].origin.source == source && entries[index].origin.key == key
            && entries[index].origin.field == field {
            guard !entries[index].paths.isSuperset(of: paths) else { return false }
            entries[index].paths.formUnion(paths)
            return true
        }
        let origin = Origin(field: field, key: key, source: source)
        var position = entries.endIndex
        while position > entries.startIndex, origin < entries[position - 1].origin { position -= 1 }
        entries.insert(Entry(origin: origin, paths: paths), at: position)
        return true
    }

    /// What the pack says of a key, as far as propagation depends on it.
    struct Verdict {
        let known: Bool
        let directIdentifier: Bool
    }

    /// What the dataset holds under `taxonomy`. `verdicts` keeps the taxonomy's answers across datasets:
    /// the whole store holds a few distinct keys, each resolved once.
    func applying(_ taxonomy: Taxonomy, verdicts: inout [String: Verdict]) -> CategoryPropagation.Held {
        var held = CategoryPropagation.Held()
        held.pseudonymised = pseudonymised
        held.collectionPurposes = collectionPurposes
        held.firstWrite = firstWrite
        for entry in entries {
            let key = entry.origin.key
            let verdict = verdicts[key] ?? {
                let resolved = taxonomy.category(key)
                let verdict = Verdict(known: resolved.isKnown, directIdentifier: resolved.directIdentifier)
                verdicts[key] = verdict
                return verdict
            }()
            guard entry.paths.carry(known: verdict.known, directIdentifier: verdict.directIdentifier) else { continue }
            held.origins.append(entry.origin)
        }
        return held
    }

    // MARK: stored form

    /// The entries as the lineage projection stores them: a JSON array of `[field or null, key, source,
    /// paths]` in a fixed order, so a replay of the log writes the same text.
    var encodedEntries: String {
        // Written straight into the string's storage: a fill writes a row for every dataset, and appending
        // each entry's pieces to an array was a twentieth of a rebuild's instructions.
        var capacity = 2
        for entry in entries {
            capacity += StoredText.maximumEntryLength(field: entry.origin.field, key: entry.origin.key)
        }
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var text = StoredText(buffer)
            text.append(UInt8(ascii: "["))
            for index in entries.indices {
                if index > entries.startIndex { text.append(UInt8(ascii: ",")) }
                text.append(UInt8(ascii: "["))
                let origin = entries[index].origin
                if let field = origin.field { text.appendQuoted(field) } else { text.appendNull() }
                text.append(UInt8(ascii: ","))
                text.appendQuoted(origin.key)
                text.append(UInt8(ascii: ","))
                text.appendDecimal(origin.source)
                text.append(UInt8(ascii: ","))
                text.appendDecimal(Int64(entries[index].paths.rawValue))
                text.append(UInt8(ascii: "]"))
            }
            text.append(UInt8(ascii: "]"))
            return text.count
        }
    }

    /// The collection purposes as the lineage projection stores them: a JSON array of strings in order.
    var encodedCollectionPurposes: String {
        guard !collectionPurposes.isEmpty else { return "[]" }
        let purposes = collectionPurposes.sorted()
        let capacity = purposes.reduce(2) { $0 + 1 + StoredText.maximumQuotedLength($1) }
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var text = StoredText(buffer)
            text.append(UInt8(ascii: "["))
            for (index, purpose) in purposes.enumerated() {
                if index > 0 { text.append(UInt8(ascii: ",")) }
                text.appendQuoted(purpose)
            }
            text.append(UInt8(ascii: "]"))
            return text.count
        }
    }

    init() {}

    /// Reads the stored form back; `nil` when the text is not what `encodedEntries` writes. A scanner of
    /// its own rather than the general JSON parser: a DSAR reads a few hundred rows and an ingest the
    /// rows feeding what it wrote, and building a JSON tree per row cost more than the rest together.
    init?(encodedEntries text: String, pseudonymised: Bool, encodedCollectionPurposes purposes: String, firstWrite: FirstWrite?) {
        var pool = TextPool()
        self.init(encodedEntries: text, pseudonymised: pseudonymised, encodedCollectionPurposes: purposes, firstWrite: firstWrite, pool: &pool)
    }

    /// `init(encodedEntries:…)` taking its keys, fields and purposes from `pool`, for callers that read many rows.
    init?(encodedEntries text: String, pseudonymised: Bool, encodedCollectionPurposes purposes: String, firstWrite: FirstWrite?,
          pool: inout TextPool) {
        self.pseudonymised = pseudonymised
        self.firstWrite = firstWrite
        var text = text, purposes = purposes
        let parsed: [Entry]? = text.withUTF8 { bytes in
            var reader = EntryReader(bytes: bytes)
            return reader.entries(pool: &pool)
        }
        let parsedPurposes: [String]? = purposes.withUTF8 { bytes in
            var reader = EntryReader(bytes: bytes)
            return reader.strings(pool: &pool)
        }
        guard let parsed, let parsedPurposes else { return nil }
        // Stored in origin order already; `add` would keep them so, at a higher price.
        entries = parsed
        collectionPurposes = Set(parsedPurposes)
    }
}

/// Reads `[[field or null, key, source, paths], …]` as `CarriedCategories.encodedEntries` writes it, and
/// lists of strings.
private struct EntryReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func entries(pool: inout TextPool) -> [CarriedCategories.Entry]? {
        var entries: [CarriedCategories.Entry] = []
        guard take(UInt8(ascii: "[")) else { return nil }
        if take(UInt8(ascii: "]")) { return position == bytes.count ? entries : nil }
        repeat {
            guard take(UInt8(ascii: "[")) else { return nil }
            let field: String?
            if take(UInt8(ascii: "n")) {
                guard take(UInt8(ascii: "u")), take(UInt8(ascii: "l")), take(UInt8(ascii: "l")) else { return nil }
                field = nil
            } else {
                guard let name = string(pool: &pool) else { return nil }
                field = name
            }
            guard take(UInt8(ascii: ",")), let key = string(pool: &pool), take(UInt8(ascii: ",")), let source = integer(), take(UInt8(ascii: ",")),
                  let paths = integer(), let raw = UInt8(exactly: paths), take(UInt8(ascii: "]")) else { return nil }
            entries.append(CarriedCategories.Entry(origin: CarriedCategories.Origin(field: field, key: key, source: source),
                paths: CarriedCategories.Paths(rawValue: raw)))
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "]")), position == bytes.count else { return nil }
        return entries
    }

    /// `["…", …]`, as `CarriedCategories.encodedCollectionPurposes` writes it.
    mutating func strings(pool: inout TextPool) -> [String]? {
        var strings: [String] = []
        guard take(UInt8(ascii: "[")) else { return nil }
        if take(UInt8(ascii: "]")) { return position == bytes.count ? strings : nil }
        repeat {
            guard let string = string(pool: &pool) else { return nil }
            strings.append(string)
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "]")), position == bytes.count else { return nil }
        return strings
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func integer() -> Int64? {
        let start = position
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
        return Int64(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
    }

    /// A JSON string; one with an escape goes through the general parser.
    private mutating func string(pool: inout TextPool) -> String? {
        let start = position
        guard take(UInt8(ascii: "\"")) else { return nil }
        var escaped = false
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 1
            } else if byte == UInt8(ascii: "\"") {
                let token = UnsafeBufferPointer(rebasing: bytes[start..<position])
                guard escaped else { return pool.text(UnsafeBufferPointer(rebasing: token.dropFirst().dropLast())) }
                return (try? JSONParser.parse(token))?.stringValue
            }
        }
        return nil
    }
}

/// Writes the stored form's JSON into a buffer sized beforehand (`maximum…Length`).
private struct StoredText {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// The most one entry can take: its brackets and commas (six, with the one before it), two decimals of at
    /// most 20 characters, and the field (or `null`) and the key quoted, each byte escaped as six at worst.
    static func maximumEntryLength(field: String?, key: String) -> Int {
        6 + 2 * 20 + (field.map(maximumQuotedLength) ?? 4) + maximumQuotedLength(key)
    }

    static func maximumQuotedLength(_ text: String) -> Int {
        2 + 6 * text.utf8.count
    }

    mutating func append(_ byte: UInt8) {
        buffer[count] = byte
        count += 1
    }

    mutating func appendNull() {
        for byte in "null".utf8 { append(byte) }
    }

    /// `text` as a JSON string with RFC 8785's escapes: copied as it is when it needs none (category keys and
    /// column names nearly always), else escaped by `CanonicalJSON.writeString`.
    mutating func appendQuoted(_ text: String) {
        var text = text
        let copied = text.withUTF8 { utf8 in
            guard !CanonicalJSON.needsEscapes(utf8) else { return false }
            append(UInt8(ascii: "\""))
            if let base = utf8.baseAddress { (buffer.baseAddress! + count).update(from: base, count: utf8.count) }
            count += utf8.count
            append(UInt8(ascii: "\""))
            return true
        }
        guard !copied else { return }
        var escaped: [UInt8] = []
        CanonicalJSON.writeString(text, to: &escaped)
        for byte in escaped { append(byte) }
    }

    /// `value` in decimal, its digits worked out from the right in place.
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var digits = 1
        var rest = value.magnitude
        while rest >= 10 {
            digits += 1
            rest /= 10
        }
        rest = value.magnitude
        for offset in stride(from: count + digits - 1, through: count, by: -1) {
            buffer[offset] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        count += digits
    }
}
