import Foundation

/// Syntactic validation of one OpenLineage event against the ingest contract (spec/ingest.md).
///
/// It checks what is malformed, never what is merely unknown to the policy pack: a new cloud region or a
/// category missing from the taxonomy passes, and becomes a finding later. The first problem is thrown,
/// with a JSON pointer to the field.
public enum EventValidator {
    /// Validates `json` and normalises its subject identifiers in place.
    ///
    /// - Parameter mayHoldControlCharacters: pass `false` only when the parser reported that no string
    ///   holds a control character (`JSONParser.parseReportingControlCharacters`); the walk for them is
    ///   then skipped.
    public static func validate(_ json: JSONValue, mayHoldControlCharacters: Bool = true) throws(EventValidationError) -> ValidatedEvent {
        var walker = Walker()
        return try walker.validateEvent(json, mayHoldControlCharacters: mayHoldControlCharacters)
    }
}

private struct Walker {
    typealias Failure = EventValidationError

    var subjectCount = 0

    func fail(_ pointer: JSONPointer, _ message: String) -> Failure {
        Failure(pointer: pointer, message: message)
    }

    mutating func validateEvent(_ json: JSONValue, mayHoldControlCharacters: Bool) throws(Failure) -> ValidatedEvent {
        // Most events are clean: check cheaply first, and walk again for the pointer only when needed.
        if mayHoldControlCharacters && Self.holdsForbiddenControl(json) { try rejectControlCharacters(json, at: .root) }
        guard case .object(let event) = json else {
            throw fail(.root, "an event must be a JSON object, found \(json.typeName)")
        }
        var notes: [String] = []
        let timeText = try requiredString(event, "eventTime", at: .root)
        guard let time = RFC3339.parse(timeText) else {
            throw fail(JSONPointer(["eventTime"]), "'\(timeText)' is not an RFC 3339 date-time such as 2026-03-01T10:05:00Z")
        }
        if !time.hadOffset {
            notes.append("eventTime has no UTC offset; read as UTC")
        }
        _ = try requiredString(event, "producer", at: .root)
        _ = try requiredString(event, "schemaURL", at: .root)
        if let eventType = event["eventType"] {
            guard case .string(let type) = eventType else {
                throw fail(JSONPointer(["eventType"]), "eventType must be a string, found \(eventType.typeName)")
            }
            guard CustodyVocabulary.eventTypes.contains(type) else {
                throw fail(JSONPointer(["eventType"]),
                    "unknown eventType '\(type)'; expected one of \(CustodyVocabulary.list(CustodyVocabulary.eventTypes))")
            }
        }

        guard let kind = EventKind(classifying: event) else {
            throw fail(.root, "not an OpenLineage event: expected a 'run' and 'job' (RunEvent), a 'dataset' (DatasetEvent) or a 'job' (JobEvent)")
        }

        switch kind {
        case .run:
            let run = try requiredObject(event, "run", at: .root)
            let runPointer = JSONPointer(["run"])
            let runId = try requiredString(run, "runId", at: runPointer)
            guard Self.isUUID(runId) else {
                throw fail(runPointer.appending("runId"), "'\(runId)' is not a UUID such as 0192f5b4-3c1e-7a2b-9d4e-5f6a7b8c9d0e")
            }
            try validateFacets(run["facets"], at: runPointer.appending("facets"), owner: .run)
            try validateJob(event)
            try validateDatasets(event, key: "inputs")
            try validateDatasets(event, key: "outputs")
        case .job:
            try validateJob(event)
            try validateDatasets(event, key: "inputs")
            try validateDatasets(event, key: "outputs")
        case .dataset:
            guard case .object(let dataset)? = event["dataset"] else {
                throw fail(JSONPointer(["dataset"]), event["dataset"] == nil
                    ? "missing required field 'dataset'"
                    : "dataset must be an object, found \(event["dataset"]!.typeName)")
            }
            try validateDataset(dataset, at: JSONPointer(["dataset"]))
        }
        // Identifiers were checked above; rewrite them in normalised form only where an event has any.
        let normalised = subjectCount == 0 ? json : ValidatedEvent.mapSubjectLists(json) { raw, _ in SubjectIdentifier(raw)?.normalized ?? raw }
        return ValidatedEvent(kind: kind, json: normalised, eventTime: time.date, notes: notes, subjectCount: subjectCount)
    }

    // MARK: structure

    func validateJob(_ event: JSONObject) throws(Failure) {
        let job = try requiredObject(event, "job", at: .root)
        let pointer = JSONPointer(["job"])
        _ = try requiredString(job, "namespace", at: pointer)
        _ = try requiredString(job, "name", at: pointer)
        try validateFacets(job["facets"], at: pointer.appending("facets"), owner: .job)
    }

    mutating func validateDatasets(_ event: JSONObject, key: String) throws(Failure) {
        guard let value = event[key] else { return }
        let pointer = JSONPointer([key])
        guard case .array(let datasets) = value else {
            throw fail(pointer, "\(key) must be an array of datasets, found \(value.typeName)")
        }
        for (index, element) in datasets.enumerated() {
            guard case .object(let dataset) = element else {
                throw fail(pointer.appending(index), "a dataset must be an object, found \(element.typeName)")
            }
            try validateDataset(dataset, at: pointer.appending(index))
        }
    }

    mutating func validateDataset(_ dataset: JSONObject, at pointer: JSONPointer) throws(Failure) {
        _ = try requiredString(dataset, "namespace", at: pointer)
        _ = try requiredString(dataset, "name", at: pointer)
        try validateFacets(dataset["facets"], at: pointer.appending("facets"), owner: .dataset)
        for extra in ["inputFacets", "outputFacets"] {
            try validateFacets(dataset[extra], at: pointer.appending(extra), owner: .other)
        }
        if case .object(let facets)? = dataset["facets"], case .object(let facet)? = facets[PersonalDataFacet.name] {
            try validatePersonalData(facet, at: pointer.appending("facets").appending(PersonalDataFacet.name))
        }
    }

    enum FacetOwner { case run, job, dataset, other }

    func validateFacets(_ value: JSONValue?, at pointer: JSONPointer, owner: FacetOwner) throws(Failure) {
        guard let value else { return }
        guard case .object(let facets) = value else {
            throw fail(pointer, "facets must be an object, found \(value.typeName)")
        }
        for (name, facetValue) in facets.members {
            let facetPointer = pointer.appending(name)
            guard case .object(let facet) = facetValue else {
                throw fail(facetPointer, "a facet must be an object, found \(facetValue.typeName)")
            }
            _ = try requiredString(facet, "_producer", at: facetPointer)
            _ = try requiredString(facet, "_schemaURL", at: facetPointer)
            if name == ProcessingFacet.name && (owner == .run || owner == .job) {
                try validateProcessing(facet, at: facetPointer)
            }
        }
    }

    // MARK: custody_personalData

    mutating func validatePersonalData(_ facet: JSONObject, at pointer: JSONPointer) throws(Failure) {
        let known: Set<String> = [
            "categories", "fields", "subjectTypes", "location", "subjects", "erasedSubjects", "retention", "anonymous",
        ]
        try rejectUnknownFields(facet, known: known, at: pointer, facet: PersonalDataFacet.name)
        try dottedKeys(facet["categories"], at: pointer.appending("categories"), what: "category")
        try dottedKeys(facet["subjectTypes"], at: pointer.appending("subjectTypes"), what: "subject type")
        if let fields = facet["fields"] {
            guard case .object(let columns) = fields else {
                throw fail(pointer.appending("fields"), "fields must be an object of column: [category], found \(fields.typeName)")
            }
            for (column, categories) in columns.members {
                try dottedKeys(categories, at: pointer.appending("fields").appending(column), what: "category")
            }
        }
        if let location = facet["location"] {
            guard case .string(let text) = location else {
                throw fail(pointer.appending("location"), "location must be a string, found \(location.typeName)")
            }
            guard StorageLocation(text) != nil else {
                throw fail(pointer.appending("location"),
                    "'\(text)' is neither an ISO 3166-1 alpha-2 country code (DE, FR, GB) nor a provider region such as aws:eu-west-1")
            }
        }
        for key in ["subjects", "erasedSubjects"] {
            guard let value = facet[key] else { continue }
            guard case .array(let values) = value else {
                throw fail(pointer.appending(key), "\(key) must be an array of identifiers, found \(value.typeName)")
            }
            for (index, element) in values.enumerated() {
                // The message must not quote the identifier: it is personal data.
                guard case .string(let text) = element else {
                    throw fail(pointer.appending(key).appending(index), "a subject identifier must be a string, found \(element.typeName)")
                }
                guard SubjectIdentifier(text) != nil else {
                    throw fail(pointer.appending(key).appending(index), "a subject identifier is empty after normalisation")
                }
            }
            subjectCount += values.count
        }
        if let retention = facet["retention"] {
            guard case .string(let text) = retention else {
                throw fail(pointer.appending("retention"), "retention must be a string, found \(retention.typeName)")
            }
            guard ISO8601Duration(text) != nil else {
                throw fail(pointer.appending("retention"), "'\(text)' is not an ISO 8601 duration such as P30D or P2Y")
            }
        }
        if let anonymous = facet["anonymous"], case .bool = anonymous {} else if let anonymous = facet["anonymous"] {
            throw fail(pointer.appending("anonymous"), "anonymous must be true or false, found \(anonymous.typeName)")
        }
    }

    // MARK: custody_processing

    func validateProcessing(_ facet: JSONObject, at pointer: JSONPointer) throws(Failure) {
        let known: Set<String> = [
            "operation", "purposes", "legalBasis", "specialCategoryCondition", "criminalDataAuthorisation",
            "controller", "recipient", "transferMechanism", "source", "automatedDecision", "signals",
        ]
        try rejectUnknownFields(facet, known: known, at: pointer, facet: ProcessingFacet.name)
        try enumeration(facet, "operation", CustodyVocabulary.operations, at: pointer)
        try dottedKeys(facet["purposes"], at: pointer.appending("purposes"), what: "purpose")
        try enumeration(facet, "legalBasis", CustodyVocabulary.legalBases, at: pointer)
        try enumeration(facet, "specialCategoryCondition", CustodyVocabulary.specialCategoryConditions, at: pointer)
        try enumeration(facet, "criminalDataAuthorisation", CustodyVocabulary.criminalDataAuthorisations, at: pointer)
        try dottedKeys(facet["signals"], at: pointer.appending("signals"), what: "signal")

        if let controller = try optionalObject(facet, "controller", at: pointer) {
            let controllerPointer = pointer.appending("controller")
            try rejectUnknownFields(controller, known: ["name", "country", "publicAuthority"], at: controllerPointer, facet: ProcessingFacet.name)
            _ = try requiredString(controller, "name", at: controllerPointer)
            try country(controller, "country", at: controllerPointer, required: false)
            try boolean(controller, "publicAuthority", at: controllerPointer)
        }
        if let recipient = try optionalObject(facet, "recipient", at: pointer) {
            let recipientPointer = pointer.appending("recipient")
            try rejectUnknownFields(recipient,
                known: ["name", "role", "country", "internationalOrganisation", "regime", "dpfCertified"],
                at: recipientPointer, facet: ProcessingFacet.name)
            _ = try requiredString(recipient, "name", at: recipientPointer)
            _ = try requiredString(recipient, "role", at: recipientPointer)
            try enumeration(recipient, "role", CustodyVocabulary.recipientRoles, at: recipientPointer)
            try country(recipient, "country", at: recipientPointer, required: false)
            try optionalString(recipient, "internationalOrganisation", at: recipientPointer)
            try optionalString(recipient, "regime", at: recipientPointer)
            try boolean(recipient, "dpfCertified", at: recipientPointer)
            if recipient["country"] != nil && recipient["internationalOrganisation"] != nil {
                throw fail(recipientPointer, "a recipient names either a country or an internationalOrganisation, not both")
            }
        }
        if let mechanism = facet["transferMechanism"] {
            let mechanismPointer = pointer.appending("transferMechanism")
            switch mechanism {
            case .string(let text):
                try transferTool(text, at: mechanismPointer)
            case .object(let object):
                try rejectUnknownFields(object, known: ["type", "tiaRef", "authorisationRef"], at: mechanismPointer, facet: ProcessingFacet.name)
                let type = try requiredString(object, "type", at: mechanismPointer)
                try transferTool(type, at: mechanismPointer.appending("type"))
                try optionalString(object, "tiaRef", at: mechanismPointer)
                try optionalString(object, "authorisationRef", at: mechanismPointer)
            default:
                throw fail(mechanismPointer, "transferMechanism must be a string or an object {type, tiaRef?, authorisationRef?}, found \(mechanism.typeName)")
            }
        }
        if let source = try optionalObject(facet, "source", at: pointer) {
            let sourcePointer = pointer.appending("source")
            try rejectUnknownFields(source, known: ["type", "name"], at: sourcePointer, facet: ProcessingFacet.name)
            _ = try requiredString(source, "type", at: sourcePointer)
            try enumeration(source, "type", CustodyVocabulary.sourceTypes, at: sourcePointer)
            try optionalString(source, "name", at: sourcePointer)
        }
        if let decision = try optionalObject(facet, "automatedDecision", at: pointer) {
            let decisionPointer = pointer.appending("automatedDecision")
            try rejectUnknownFields(decision, known: ["logic", "significance"], at: decisionPointer, facet: ProcessingFacet.name)
            _ = try requiredString(decision, "logic", at: decisionPointer)
            _ = try requiredString(decision, "significance", at: decisionPointer)
        }
    }

    func transferTool(_ text: String, at pointer: JSONPointer) throws(Failure) {
        if text.hasPrefix("derogation:") {
            let name = String(text.dropFirst("derogation:".count))
            guard CustodyVocabulary.derogations.contains(name) else {
                throw fail(pointer, "unknown Art. 49 derogation '\(name)'; expected one of \(CustodyVocabulary.list(CustodyVocabulary.derogations))")
            }
        } else if !CustodyVocabulary.transferTools.contains(text) {
            throw fail(pointer,
                "unknown transfer mechanism '\(text)'; expected one of \(CustodyVocabulary.list(CustodyVocabulary.transferTools)), or derogation:<name>")
        }
    }

    // MARK: primitives

    func rejectUnknownFields(_ object: JSONObject, known: Set<String>, at pointer: JSONPointer, facet: String) throws(Failure) {
        for member in object.members where !member.key.hasPrefix("_") && !known.contains(member.key) {
            throw fail(pointer.appending(member.key),
                "unknown field '\(member.key)' in \(facet); expected one of \(CustodyVocabulary.list(known))")
        }
    }

    func requiredString(_ object: JSONObject, _ key: String, at pointer: JSONPointer) throws(Failure) -> String {
        guard let value = object[key] else { throw fail(pointer.appending(key), "missing required field '\(key)'") }
        guard case .string(let text) = value else {
            throw fail(pointer.appending(key), "\(key) must be a string, found \(value.typeName)")
        }
        guard !text.isEmpty else { throw fail(pointer.appending(key), "\(key) must not be empty") }
        return text
    }

    func optionalString(_ object: JSONObject, _ key: String, at pointer: JSONPointer) throws(Failure) {
        guard let value = object[key] else { return }
        guard case .string = value else {
            throw fail(pointer.appending(key), "\(key) must be a string, found \(value.typeName)")
        }
    }

    func requiredObject(_ object: JSONObject, _ key: String, at pointer: JSONPointer) throws(Failure) -> JSONObject {
        guard let value = object[key] else { throw fail(pointer.appending(key), "missing required field '\(key)'") }
        guard case .object(let child) = value else {
            throw fail(pointer.appending(key), "\(key) must be an object, found \(value.typeName)")
        }
        return child
    }

    func optionalObject(_ object: JSONObject, _ key: String, at pointer: JSONPointer) throws(Failure) -> JSONObject? {
        guard object[key] != nil else { return nil }
        return try requiredObject(object, key, at: pointer)
    }

    func boolean(_ object: JSONObject, _ key: String, at pointer: JSONPointer) throws(Failure) {
        guard let value = object[key] else { return }
        guard case .bool = value else { throw fail(pointer.appending(key), "\(key) must be true or false, found \(value.typeName)") }
    }

    func enumeration(_ object: JSONObject, _ key: String, _ allowed: Set<String>, at pointer: JSONPointer) throws(Failure) {
        guard let value = object[key] else { return }
        guard case .string(let text) = value else {
            throw fail(pointer.appending(key), "\(key) must be a string, found \(value.typeName)")
        }
        guard allowed.contains(text) else {
            throw fail(pointer.appending(key), "unknown \(key) '\(text)'; expected one of \(CustodyVocabulary.list(allowed))")
        }
    }

    func country(_ object: JSONObject, _ key: String, at pointer: JSONPointer, required: Bool) throws(Failure) {
        guard let value = object[key] else {
            if required { throw fail(pointer.appending(key), "missing required field '\(key)'") }
            return
        }
        guard case .string(let text) = value else {
            throw fail(pointer.appending(key), "\(key) must be a string, found \(value.typeName)")
        }
        guard CountryCode(text) != nil else {
            throw fail(pointer.appending(key), "'\(text)' is not an ISO 3166-1 alpha-2 country code such as DE, FR or US")
        }
    }

    func dottedKeys(_ value: JSONValue?, at pointer: JSONPointer, what: String) throws(Failure) {
        guard let value else { return }
        guard case .array(let elements) = value else {
            throw fail(pointer, "expected an array of \(what) keys, found \(value.typeName)")
        }
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                throw fail(pointer.appending(index), "a \(what) must be a string, found \(element.typeName)")
            }
            guard CustodyVocabulary.isDottedKey(text) else {
                throw fail(pointer.appending(index),
                    "'\(text)' is not a valid \(what): use lower-case dotted keys such as user.contact.email")
            }
        }
    }

    /// XML cannot carry most control characters, and reports are XML: reject them anywhere in the event.
    func rejectControlCharacters(_ value: JSONValue, at pointer: JSONPointer) throws(Failure) {
        switch value {
        case .string(let text):
            if Self.hasForbiddenControl(text) {
                throw fail(pointer, "the string holds a control character (only tab, LF and CR are allowed)")
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                try rejectControlCharacters(element, at: pointer.appending(index))
            }
        case .object(let object):
            for member in object.members {
                if Self.hasForbiddenControl(member.key) {
                    throw fail(pointer.appending(member.key), "a member name holds a control character")
                }
                try rejectControlCharacters(member.value, at: pointer.appending(member.key))
            }
        case .null, .bool, .number:
            break
        }
    }

    /// 8-4-4-4-12 hexadecimal digits, any version (Foundation's parser goes through sscanf, which shows
    /// in ingest profiles).
    static func isUUID(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == 36 else { return false }
        for (index, byte) in utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                let isHex = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
                guard isHex else { return false }
            }
        }
        return true
    }

    static func holdsForbiddenControl(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): hasForbiddenControl(text)
        case .array(let elements): elements.contains(where: holdsForbiddenControl)
        case .object(let object): object.members.contains { hasForbiddenControl($0.key) || holdsForbiddenControl($0.value) }
        case .null, .bool, .number: false
        }
    }

    static func hasForbiddenControl(_ text: String) -> Bool {
        var mayHoldC1 = false
        for byte in text.utf8 {
            if byte < 0x20 {
                if byte != 0x09 && byte != 0x0A && byte != 0x0D { return true }
            } else if byte == 0x7F {
                return true
            } else if byte == 0xC2 {
                mayHoldC1 = true  // U+0080-U+009F are encoded as C2 80-C2 9F
            }
        }
        return mayHoldC1 && text.unicodeScalars.contains { (0x80...0x9F).contains($0.value) }
    }
}
