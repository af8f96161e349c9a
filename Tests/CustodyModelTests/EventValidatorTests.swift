import CustodyModel
import CustodyTestSupport
import Foundation
import Testing

struct EventValidatorTests {
    private func validate(_ text: String) throws -> ValidatedEvent {
        try EventValidator.validate(try JSONParser.parse(text))
    }

    /// Replaces the first occurrence of `old` in the reference event, to make one field bad.
    private func mutated(_ old: String, _ new: String) -> String {
        let event = EventFixtures.runEvent()
        precondition(event.contains(old), "fixture lacks \(old)")
        return event.replacingOccurrences(of: old, with: new)
    }

    @Test func acceptsTheContractExampleAndNormalisesSubjects() throws {
        let event = try validate(EventFixtures.runEvent(subjects: ["Alice@Example.com", "cust-1002"]))
        #expect(event.kind == .run)
        #expect(event.notes.isEmpty)
        #expect(event.subjectIdentifiers.map(\.normalized) == ["email:alice@example.com", "cust-1002"])
        let tokenised = event.replacingSubjects { identifier, _ in "T(\(identifier.normalized))" }
        #expect(tokenised["outputs"].map { "\($0)" }?.contains("T(email:alice@example.com)") == true)
    }

    @Test func keepsUnknownFacetsAndNotesTimesWithoutOffset() throws {
        let text = mutated(#""inputs":["#, #""extra":{"x":1},"inputs":["#)
            .replacingOccurrences(of: "2026-03-01T10:05:00Z", with: "2026-03-01T10:05:00")
        let event = try validate(text)
        #expect(event["extra"] != nil)
        #expect(event.notes == ["eventTime has no UTC offset; read as UTC"])
    }

    @Test func classifiesDatasetAndJobEvents() throws {
        let dataset = try validate(#"{"eventTime":"2026-03-01T10:00:00Z","producer":"p","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent","dataset":{"namespace":"pg","name":"t","facets":{"custody_personalData":{"_producer":"p","_schemaURL":"s","categories":["user.name"],"subjects":["a@b.de"]}}}}"#)
        #expect(dataset.kind == .dataset)
        #expect(dataset.subjectIdentifiers.map(\.normalized) == ["email:a@b.de"])
        let job = try validate(#"{"eventTime":"2026-03-01T10:00:00Z","producer":"p","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent","job":{"namespace":"crm","name":"j"}}"#)
        #expect(job.kind == .job)
    }

    @Test(arguments: [
        (#""eventTime":"2026-03-01T10:05:00Z","#, "", "/eventTime", "missing required field"),
        ("2026-03-01T10:05:00Z", "2026-03-01 at ten", "/eventTime", "RFC 3339"),
        (#""producer":"https://example.com/etl","#, #""producer":42,"#, "/producer", "must be a string"),
        ("0192f5b4-3c1e-7a2b-9d4e-5f6a7b8c9d0e", "not-a-uuid", "/run/runId", "not a UUID"),
        (#""operation":"transfer""#, #""operation":"teleport""#, "/run/facets/custody_processing/operation", "unknown operation"),
        (#""legalBasis":"consent""#, #""legalBasis":"vibes""#, "/run/facets/custody_processing/legalBasis", "unknown legalBasis"),
        (#""country":"US""#, #""country":"USA""#, "/run/facets/custody_processing/recipient/country", "ISO 3166-1"),
        (#""location":"US""#, #""location":"moon""#, "/outputs/0/facets/custody_personalData/location", "provider region"),
        (#""marketing.advertising""#, #""Marketing Advertising""#, "/run/facets/custody_processing/purposes/0", "dotted keys"),
        (#""transferMechanism":"scc_commission""#, #""transferMechanism":"derogation:because""#, "/run/facets/custody_processing/transferMechanism", "Art. 49"),
        (#""name":"export_audience""#, #""name":"export\u0007audience""#, "/job/name", "control character"),
        (#""_schemaURL":"https://example.com/custody/ProcessingRunFacet.json","#, "", "/run/facets/custody_processing/_schemaURL", "missing required field"),
        (#""subjects":["cust-1001","cust-1002"]"#, #""subjects":["cust-1001",7]"#, "/outputs/0/facets/custody_personalData/subjects/1", "must be a string"),
        (#""subjects":["cust-1001","cust-1002"]"#, #""subjects":["cust-1001","  "]"#, "/outputs/0/facets/custody_personalData/subjects/1", "empty"),
        (#""location":"US""#, #""location":"US","retention":"two years""#, "/outputs/0/facets/custody_personalData/retention", "ISO 8601 duration"),
        (#""legalBasis":"consent""#, #""legalbasis":"consent""#, "/run/facets/custody_processing/legalbasis", "unknown field"),
        (#""eventType":"COMPLETE""#, #""eventType":"DONE""#, "/eventType", "unknown eventType"),
        (#""namespace":"s3://adco-us","#, "", "/outputs/0/namespace", "missing required field"),
    ])
    func rejectsWithThePointerToTheField(old: String, new: String, pointer: String, fragment: String) {
        #expect {
            _ = try validate(mutated(old, new))
        } throws: { error in
            guard let error = error as? EventValidationError else { return false }
            return error.pointer.description == pointer && error.message.contains(fragment)
        }
    }

    @Test func neverQuotesASubjectIdentifierInAnError() {
        let secret = "phone:+"
        do {
            _ = try validate(mutated(#""subjects":["cust-1001","cust-1002"]"#, #""subjects":["\#(secret)"]"#))
            Issue.record("accepted an identifier with nothing left")
        } catch {
            #expect(!"\(error)".contains(secret))
        }
    }
}

extension ValidatedEvent {
    subscript(key: String) -> JSONValue? { json[key] }
}
