public import Foundation

/// An event that passed syntactic validation, with subject identifiers already normalised in place.
///
/// It still holds identifiers in plaintext: the log replaces them with tokens
/// (`replacingSubjects(_:)`) before anything is canonicalised, hashed or written.
public struct ValidatedEvent: Sendable {
    public let kind: EventKind
    /// The event as received, but for normalised subject identifiers.
    public let json: JSONValue
    public let eventTime: Date
    /// Remarks recorded with the event, such as a time sent without an offset and read as UTC.
    public let notes: [String]
    /// How many subject identifiers the event names (in `subjects` and `erasedSubjects`).
    public let subjectCount: Int

    /// Every subject identifier the event names, in order of appearance (duplicates kept).
    public var subjectIdentifiers: [SubjectIdentifier] {
        var found: [SubjectIdentifier] = []
        _ = Self.mapSubjectLists(json) { text, _ in
            found.append(SubjectIdentifier(alreadyNormalized: text))
            return text
        }
        return found
    }

    /// The event with each identifier in `subjects` and `erasedSubjects` replaced by
    /// `replacement(id, erasing)`, where `erasing` says the identifier stands in an `erasedSubjects` list.
    public func replacingSubjects(_ replacement: (SubjectIdentifier, _ erasing: Bool) throws -> String) rethrows -> JSONValue {
        // Validation already normalised every identifier in place.
        subjectCount == 0 ? json : try Self.mapSubjectLists(json) { text, erasing in
            try replacement(SubjectIdentifier(alreadyNormalized: text), erasing)
        }
    }

    /// The places where the contract allows subject lists: the `custody_personalData` facet of inputs,
    /// outputs, and a DatasetEvent's dataset.
    static func mapSubjectLists(
        _ event: JSONValue, _ transform: (String, _ erasing: Bool) throws -> String
    ) rethrows -> JSONValue {
        guard case .object(var root) = event else { return event }
        for key in ["inputs", "outputs"] {
            if case .array(var datasets)? = root[key] {
                for index in datasets.indices {
                    datasets[index] = try mapDataset(datasets[index], transform)
                }
                root[key] = .array(datasets)
            }
        }
        if let dataset = root["dataset"] {
            root["dataset"] = try mapDataset(dataset, transform)
        }
        return .object(root)
    }

    private static func mapDataset(
        _ dataset: JSONValue, _ transform: (String, _ erasing: Bool) throws -> String
    ) rethrows -> JSONValue {
        guard case .object(var datasetObject) = dataset, case .object(var facets)? = datasetObject["facets"],
            case .object(var facet)? = facets[PersonalDataFacet.name]
        else { return dataset }
        for key in ["subjects", "erasedSubjects"] {
            guard case .array(let values)? = facet[key] else { continue }
            facet[key] = .array(
                try values.map { value in
                    guard case .string(let text) = value else { return value }
                    return .string(try transform(text, key == "erasedSubjects"))
                })
        }
        facets[PersonalDataFacet.name] = .object(facet)
        datasetObject["facets"] = .object(facets)
        return .object(datasetObject)
    }
}

/// Facet names of the ingest contract.
public enum PersonalDataFacet {
    public static let name = "custody_personalData"
}

public enum ProcessingFacet {
    public static let name = "custody_processing"
}
