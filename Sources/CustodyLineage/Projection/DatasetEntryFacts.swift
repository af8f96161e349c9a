import CustodyModel

/// What one dataset entry of an event (an input, an output, or a DatasetEvent's dataset) says that
/// lineage keeps: the `custody_personalData` facet, category tags and a lifecycle change, with lists
/// already encoded as the JSON the projection stores.
struct DatasetEntryFacts: Sendable {
    /// A JSON array of category keys.
    var categories: String?
    /// A JSON object of column -> categories (keys sorted), from the facet's `fields` and from tags
    /// naming a `field`.
    var fields: String?
    /// A JSON array of `classification` tags, whose values count as categories where the pack knows them
    /// as such: each `column<U+001F>value`, with an empty column for a tag on the whole dataset.
    var classifications: String?
    /// A JSON array of subject types.
    var subjectTypes: String?
    var location: String?
    var retention: String?
    var anonymous: Bool?
    var lifecycle: String?
    /// Subject strings as the event names them (identifiers while ingesting, tokens when replaying).
    var subjects: [String] = []
    var erasedSubjects: [String] = []

    init(_ dataset: some JSONReading) {
        let facets = dataset["facets"]
        let facet = facets?[PersonalDataFacet.name]
        var fields: [String: [String]] = [:]
        if let facet {
            categories = Self.stringList(facet["categories"])
            if let columns = facet["fields"]?.members {
                for (column, keys) in columns { fields[column, default: []] += Self.strings(keys) ?? [] }
            }
            subjectTypes = Self.stringList(facet["subjectTypes"])
            location = facet["location"]?.stringValue
            retention = facet["retention"]?.stringValue
            if let flag = facet["anonymous"]?.boolValue { anonymous = flag }
            subjects = Self.strings(facet["subjects"]) ?? []
            erasedSubjects = Self.strings(facet["erasedSubjects"]) ?? []
        }
        if let tags = facets?["tags"]?["tags"]?.elements {
            var classified: [String] = [], tagged: [String] = []
            for tag in tags {
                guard let key = tag["key"]?.stringValue, let value = tag["value"]?.stringValue else { continue }
                let field = tag["field"]?.stringValue
                switch key {
                case "personal_data_category":
                    if let field { fields[field, default: []].append(value) } else { tagged.append(value) }
                case "classification":
                    classified.append((field ?? "") + "\u{1F}" + value)
                default:
                    continue
                }
            }
            if !tagged.isEmpty { categories = Self.jsonArray((Self.strings(facet?["categories"]) ?? []) + tagged) }
            if !classified.isEmpty { classifications = Self.jsonArray(classified) }
        }
        if !fields.isEmpty {
            let object = JSONObject(fields.map { (key: $0.key, value: JSONValue.array($0.value.map { .string($0) })) })
            self.fields = (try? CanonicalJSON.encode(.object(object))).map { String(decoding: $0, as: UTF8.self) }
        }
        lifecycle = facets?["lifecycleStateChange"]?["lifecycleStateChange"]?.stringValue?.uppercased()
    }

    /// Whether the entry says anything lineage keeps beyond the edge itself.
    var isWorthRecording: Bool {
        categories != nil || fields != nil || classifications != nil || subjectTypes != nil || location != nil
            || retention != nil || anonymous != nil || lifecycle != nil
    }

    private static func strings(_ value: (some JSONReading)?) -> [String]? {
        value?.elements?.compactMap(\.stringValue)
    }

    /// `jsonArray` of the strings of a list: the list's own canonical text when it holds nothing else (as
    /// validation makes the lists read so), which a stored event gives without making a string of each.
    private static func stringList(_ value: (some JSONReading)?) -> String? {
        guard let value, let elements = value.elements else { return nil }
        if elements.allSatisfy(\.isString), let text = value.canonicalText { return text }
        return jsonArray(elements.compactMap(\.stringValue))
    }

    static func jsonArray(_ values: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}
