import Foundation

/// A dataset as an event lists it, with the parts of its facets lineage reads.
public struct DatasetEntry: Sendable {
    public var namespace: String
    public var name: String
    var personalData: [String: any Sendable] = [:]
    var facets: [String: any Sendable] = [:]

    public init(_ name: String, namespace: String = "postgres://db:5432") {
        self.name = name
        self.namespace = namespace
    }

    public func subjects(_ identifiers: String...) -> DatasetEntry { with("subjects", identifiers) }
    public func erased(_ identifiers: String...) -> DatasetEntry { with("erasedSubjects", identifiers) }
    public func categories(_ keys: String...) -> DatasetEntry { with("categories", keys) }
    public func fields(_ columns: [String: [String]]) -> DatasetEntry { with("fields", columns) }
    public func location(_ location: String) -> DatasetEntry { with("location", location) }
    public func anonymous(_ flag: Bool = true) -> DatasetEntry { with("anonymous", flag) }
    public func retention(_ duration: String) -> DatasetEntry { with("retention", duration) }

    /// `lifecycleStateChange`: DROP, TRUNCATE, OVERWRITE, …
    public func lifecycle(_ change: String) -> DatasetEntry {
        var copy = self
        copy.facets["lifecycleStateChange"] = ["_producer": LineageEvents.producer, "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/LifecycleStateChangeDatasetFacet.json",
                                               "lifecycleStateChange": change] as [String: any Sendable]
        return copy
    }

    /// `columnLineage`: output column → (input dataset, input column, masked?).
    public func columns(_ mapping: [String: [(DatasetEntry, String, Bool)]]) -> DatasetEntry {
        var fields: [String: any Sendable] = [:]
        for (output, inputs) in mapping {
            fields[output] = ["inputFields": inputs.map { input, field, masking -> [String: any Sendable] in
                ["namespace": input.namespace, "name": input.name, "field": field,
                 "transformations": [["type": masking ? "INDIRECT" : "DIRECT", "subtype": masking ? "HASH" : "IDENTITY", "masking": masking] as [String: any Sendable]]]
            }] as [String: any Sendable]
        }
        var copy = self
        copy.facets["columnLineage"] = ["_producer": LineageEvents.producer, "_schemaURL": "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json",
                                        "fields": fields] as [String: any Sendable]
        return copy
    }

    /// A `tags` facet entry.
    public func tag(_ key: String, _ value: String, field: String? = nil) -> DatasetEntry {
        var copy = self
        var tags = ((copy.facets["tags"] as? [String: any Sendable])?["tags"] as? [[String: any Sendable]]) ?? []
        var tag: [String: any Sendable] = ["key": key, "value": value, "source": "CONFIG"]
        if let field { tag["field"] = field }
        tags.append(tag)
        copy.facets["tags"] = ["_producer": LineageEvents.producer, "_schemaURL": "https://openlineage.io/spec/facets/1-0-0/TagsDatasetFacet.json",
                               "tags": tags] as [String: any Sendable]
        return copy
    }

    private func with(_ key: String, _ value: any Sendable) -> DatasetEntry {
        var copy = self
        copy.personalData[key] = value
        return copy
    }

    var json: [String: any Sendable] {
        var allFacets = facets
        if !personalData.isEmpty {
            var facet = personalData
            facet["_producer"] = LineageEvents.producer
            facet["_schemaURL"] = "https://example.com/custody/PersonalDataDatasetFacet.json"
            allFacets["custody_personalData"] = facet
        }
        var object: [String: any Sendable] = ["namespace": namespace, "name": name]
        if !allFacets.isEmpty { object["facets"] = allFacets }
        return object
    }
}

/// Builds OpenLineage events, one JSON line each, for lineage tests and fixtures.
public enum LineageEvents {
    public static let producer = "https://example.com/etl"

    /// `2026-03-01T<hour>:<minute>:00Z`, for streams whose order matters.
    public static func time(_ hour: Int, _ minute: Int = 0, day: Int = 1) -> String {
        String(format: "2026-03-%02dT%02d:%02d:00Z", day, hour, minute)
    }

    /// A RunEvent of job `crm.<job>`; `run` numbers the run (the same number is the same run).
    public static func run(
        _ job: String, _ eventType: String = "COMPLETE", run: Int, at time: String, operation: String? = nil,
        purposes: [String]? = nil, legalBasis: String? = nil, processing: [String: any Sendable] = [:],
        inputs: [DatasetEntry] = [], outputs: [DatasetEntry] = [], namespace: String = "crm"
    ) -> String {
        var facet = processing
        if let operation { facet["operation"] = operation }
        if let purposes { facet["purposes"] = purposes }
        if let legalBasis { facet["legalBasis"] = legalBasis }
        var runObject: [String: any Sendable] = ["runId": EventFixtures.runId(run)]
        if !facet.isEmpty {
            facet["_producer"] = producer
            facet["_schemaURL"] = "https://example.com/custody/ProcessingRunFacet.json"
            runObject["facets"] = ["custody_processing": facet] as [String: any Sendable]
        }
        return line([
            "eventType": eventType, "eventTime": time, "producer": producer,
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": runObject, "job": ["namespace": namespace, "name": job] as [String: any Sendable],
            "inputs": inputs.map(\.json), "outputs": outputs.map(\.json),
        ])
    }

    /// A DatasetEvent: inventory facts about one dataset.
    public static func dataset(_ dataset: DatasetEntry, at time: String) -> String {
        line(["eventTime": time, "producer": producer, "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
              "dataset": dataset.json])
    }

    /// A JobEvent whose `custody_processing` facet gives the job's runs their defaults.
    public static func job(_ job: String, at time: String, processing: [String: any Sendable], namespace: String = "crm") -> String {
        var facet = processing
        facet["_producer"] = producer
        facet["_schemaURL"] = "https://example.com/custody/ProcessingRunFacet.json"
        return line(["eventTime": time, "producer": producer, "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
                     "job": ["namespace": namespace, "name": job, "facets": ["custody_processing": facet] as [String: any Sendable]] as [String: any Sendable]])
    }

    static func line(_ object: [String: any Sendable]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
