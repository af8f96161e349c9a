import CustodyModel

/// What one dataset entry of an event (an input, an output, or a DatasetEvent's dataset) says that
/// lineage keeps: the `custody_personalData` facet, category tags and a lifecycle change.
struct DatasetEntryFacts {
    var categories: [String]?
    /// Column -> categories, from the facet's `fields` and from tags naming a `field`.
    var fields: [String: [String]] = [:]
    /// `classification` tags, whose values count as categories where the pack knows them as such: each
    /// `column<U+001F>value`, with an empty column for a tag on the whole dataset.
    var classifications: [String]?
    var subjectTypes: [String]?
    var location: String?
    var retention: String?
    var anonymous: Bool?
    var lifecycle: String?
    var subjects: [String] = []
    var erasedSubjects: [String] = []

    init(_ dataset: JSONValue) {
        let facets = dataset["facets"]
        if let facet = facets?[PersonalDataFacet.name] {
            categories = Self.strings(facet["categories"])
            if case .object(let columns)? = facet["fields"] {
                for (column, keys) in columns.members { fields[column, default: []] += Self.strings(keys) ?? [] }
            }
            subjectTypes = Self.strings(facet["subjectTypes"])
            location = facet["location"]?.stringValue
            retention = facet["retention"]?.stringValue
            if case .bool(let flag)? = facet["anonymous"] { anonymous = flag }
            subjects = Self.strings(facet["subjects"]) ?? []
            erasedSubjects = Self.strings(facet["erasedSubjects"]) ?? []
        }
        if case .array(let tags)? = facets?["tags"]?["tags"] {
            var classified: [String] = []
            for tag in tags {
                guard let key = tag["key"]?.stringValue, let value = tag["value"]?.stringValue else { continue }
                let field = tag["field"]?.stringValue
                switch key {
                case "personal_data_category":
                    if let field { fields[field, default: []].append(value) } else { categories = (categories ?? []) + [value] }
                case "classification":
                    classified.append((field ?? "") + "\u{1F}" + value)
                default:
                    continue
                }
            }
            if !classified.isEmpty { classifications = classified }
        }
        lifecycle = facets?["lifecycleStateChange"]?["lifecycleStateChange"]?.stringValue?.uppercased()
    }

    /// Whether the entry says anything lineage keeps beyond the edge itself.
    var isWorthRecording: Bool {
        categories != nil || !fields.isEmpty || classifications != nil || subjectTypes != nil || location != nil
            || retention != nil || anonymous != nil || lifecycle != nil
    }

    /// `fields` as canonical JSON (keys sorted), or `nil` when there are none.
    var fieldsJSON: String? {
        guard !fields.isEmpty else { return nil }
        let object = JSONObject(fields.map { (key: $0.key, value: JSONValue.array($0.value.map { .string($0) })) })
        return (try? CanonicalJSON.encode(.object(object))).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func strings(_ value: JSONValue?) -> [String]? {
        guard case .array(let values)? = value else { return nil }
        return values.compactMap(\.stringValue)
    }
}
