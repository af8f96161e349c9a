public import CustodyLineage
import CustodyLog
import CustodyModel
import Foundation

/// The events Custody writes into its own log (retention plans, erasure requests, notices of
/// recipients, forgetting): completed runs of a job in the `custody` namespace, with producer
/// `urn:custody:engine` and one run facet that says what was decided. Reading them back, only events
/// with that producer count: a pipeline run that happened to use the job's name does not.
public enum CustodyRecord {
    /// The `producer` of the events Custody writes itself.
    public static let producer = "urn:custody:engine"

    /// The jobs of Custody's own records: bookkeeping about processing, not processing itself.
    public static let jobs: Set<NodeName> = [RetentionRecord.job, ErasureRecords.job]

    /// One record as a JSON line: a COMPLETE RunEvent of `job` at `at` carrying `facet` with `members`.
    static func event(job: NodeName, runID: UUID, at: Date, facet: String, schema: String,
                      members: [(key: String, value: JSONValue)]) throws -> String {
        let facetValue = JSONValue.object(JSONObject([("_producer", .string(producer)), ("_schemaURL", .string(schema))] + members))
        let event = JSONValue.object(JSONObject([
            ("eventType", .string("COMPLETE")), ("eventTime", .string(RFC3339.format(at))),
            ("producer", .string(producer)),
            ("schemaURL", .string("https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent")),
            ("run", .object(JSONObject([("runId", .string(runID.uuidString.lowercased())), ("facets", .object(JSONObject([(facet, facetValue)])))]))),
            ("job", .object(JSONObject([("namespace", .string(job.namespace)), ("name", .string(job.name))]))),
            ("inputs", .array([])), ("outputs", .array([])),
        ]))
        return String(decoding: try CanonicalJSON.encode(event), as: UTF8.self)
    }

    /// The facet `name` of one of Custody's own records, or `nil` for any other event.
    static func facet(_ name: String, of entry: LogEntry) -> JSONValue? {
        guard entry.event["producer"]?.stringValue == producer else { return nil }
        return entry.event["run"]?["facets"]?[name]
    }

    static func number(_ value: Int) -> JSONValue { .number(JSONNumber(literal: String(value))) }
}
