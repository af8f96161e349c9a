public import CustodyLog
import CustodyModel
import Foundation
import GRDB

/// Keeps the lineage projections current: pass it to ingest (`Ingestor.ingest(…, projectors:)`), to
/// `EventStore.rebuildProjections` and to `EventStore.verify`.
public struct LineageProjector: LogProjector {
    public init() {}

    public var name: String { "lineage-v1" }
    public var tables: [String] { LineageSchema.tables }

    public func begin(_ database: ProjectionDatabase) throws -> any ProjectionWriter {
        try database.database.execute(sql: LineageSchema.create)
        return try LineageWriter(database.database)
    }
}

/// Writes one transaction's worth of events into the lineage tables with prepared statements, and
/// remembers the ids it has looked up (they cannot change inside the transaction).
final class LineageWriter: ProjectionWriter {
    private let db: Database
    private var datasetIDs: [NodeKey: Int64] = [:]
    private var jobIDs: [NodeKey: Int64] = [:]
    private var runIDs: [String: Int64] = [:]
    private let findDataset, insertDataset, findJob, insertJob, findRun, insertRun: Statement
    private let insertRunEvent, insertJobEvent, insertIO, insertFact, insertSubject, insertColumn: Statement

    private struct NodeKey: Hashable {
        let namespace: String
        let name: String
    }

    init(_ db: Database) throws {
        self.db = db
        findDataset = try db.makeStatement(sql: "SELECT id FROM lineage_dataset WHERE namespace = ? AND name = ?")
        insertDataset = try db.makeStatement(sql: "INSERT INTO lineage_dataset (namespace, name, first_seq) VALUES (?, ?, ?)")
        findJob = try db.makeStatement(sql: "SELECT id FROM lineage_job WHERE namespace = ? AND name = ?")
        insertJob = try db.makeStatement(sql: "INSERT INTO lineage_job (namespace, name, first_seq) VALUES (?, ?, ?)")
        findRun = try db.makeStatement(sql: "SELECT id FROM lineage_run WHERE run_uuid = ?")
        insertRun = try db.makeStatement(sql: "INSERT INTO lineage_run (run_uuid, job_id, first_seq) VALUES (?, ?, ?)")
        insertRunEvent = try db.makeStatement(sql: "INSERT INTO lineage_run_event (seq, run_id, event_type, event_time, processing) VALUES (?, ?, ?, ?, ?)")
        insertJobEvent = try db.makeStatement(sql: "INSERT INTO lineage_job_event (seq, job_id, event_time, processing) VALUES (?, ?, ?, ?)")
        insertIO = try db.makeStatement(sql: "INSERT OR IGNORE INTO lineage_io (run_id, direction, dataset_id, seq) VALUES (?, ?, ?, ?)")
        insertFact = try db.makeStatement(sql: """
            INSERT INTO lineage_dataset_fact (seq, role, position, dataset_id, run_id, event_time, categories, fields,
                classifications, subject_types, location, retention, anonymous, lifecycle)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertSubject = try db.makeStatement(sql: "INSERT OR IGNORE INTO lineage_subject (token, seq, dataset_id, kind, run_id, event_time) VALUES (?, ?, ?, ?, ?, ?)")
        insertColumn = try db.makeStatement(sql: """
            INSERT INTO lineage_column (seq, out_dataset, out_field, in_dataset, in_field, run_id, masking) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET masking = max(masking, excluded.masking)
            """)
    }

    func project(_ appended: AppendedEvent) throws {
        guard case .object(let event) = appended.event else { return }
        // Validation guaranteed a parsable eventTime before the event was appended.
        let time = event["eventTime"]?.stringValue.flatMap(RFC3339.parse).map { Moment.microseconds($0.date) } ?? 0
        let seq = Int64(appended.seq)
        switch appended.kind {
        case .run:
            guard let job = node(event["job"]), let runUUID = event["run"]?["runId"]?.stringValue else { return }
            let jobID = try id(of: job, in: &jobIDs, find: findJob, insert: insertJob, seq: seq)
            try recordJobDefaults(event["job"], jobID: jobID, seq: seq, time: time)
            let runID = try id(ofRun: runUUID.lowercased(), jobID: jobID, seq: seq)
            let processing = try canonical(event["run"]?["facets"]?[ProcessingFacet.name])
            try insertRunEvent.execute(arguments: [seq, runID, event["eventType"]?.stringValue ?? "OTHER", time, processing])
            var outputs: [(Int64, JSONValue)] = []
            for (direction, role) in [("inputs", "in"), ("outputs", "out")] {
                guard case .array(let datasets)? = event[direction] else { continue }
                for (position, dataset) in datasets.enumerated() {
                    guard let key = node(dataset) else { continue }
                    let datasetID = try id(of: key, in: &datasetIDs, find: findDataset, insert: insertDataset, seq: seq)
                    try insertIO.execute(arguments: [runID, role, datasetID, seq])
                    try recordFacts(of: dataset, datasetID: datasetID, role: role, position: position, runID: runID, seq: seq, time: time)
                    if role == "out" { outputs.append((datasetID, dataset)) }
                }
            }
            for (datasetID, dataset) in outputs {
                try recordColumnLineage(dataset["facets"]?["columnLineage"], into: datasetID, runID: runID, seq: seq)
            }
        case .job:
            guard let job = node(event["job"]) else { return }
            let jobID = try id(of: job, in: &jobIDs, find: findJob, insert: insertJob, seq: seq)
            try recordJobDefaults(event["job"], jobID: jobID, seq: seq, time: time)
        case .dataset:
            guard let dataset = event["dataset"], let key = node(dataset) else { return }
            let datasetID = try id(of: key, in: &datasetIDs, find: findDataset, insert: insertDataset, seq: seq)
            try recordFacts(of: dataset, datasetID: datasetID, role: "inventory", position: 0, runID: nil, seq: seq, time: time)
        }
    }

    private func recordJobDefaults(_ job: JSONValue?, jobID: Int64, seq: Int64, time: Int64) throws {
        guard let processing = try canonical(job?["facets"]?[ProcessingFacet.name]) else { return }
        try insertJobEvent.execute(arguments: [seq, jobID, time, processing])
    }

    private func recordFacts(of dataset: JSONValue, datasetID: Int64, role: String, position: Int, runID: Int64?, seq: Int64, time: Int64) throws {
        let facts = DatasetEntryFacts(dataset)
        for (token, kind) in facts.subjects.map({ ($0, "w") }) + facts.erasedSubjects.map({ ($0, "e") }) {
            // Subjects named on an input were read from it, not written into it.
            try insertSubject.execute(arguments: [token, seq, datasetID, role == "in" && kind == "w" ? "r" : kind, runID, time])
        }
        guard facts.isWorthRecording else { return }
        try insertFact.execute(arguments: [
            seq, role, position, datasetID, runID, time, facts.categories.map(Self.jsonArray), facts.fieldsJSON,
            facts.classifications.map(Self.jsonArray), facts.subjectTypes.map(Self.jsonArray), facts.location, facts.retention,
            facts.anonymous.map { $0 ? 1 : 0 }, facts.lifecycle,
        ])
    }

    private func recordColumnLineage(_ facet: JSONValue?, into outputID: Int64, runID: Int64, seq: Int64) throws {
        guard case .object(let fields)? = facet?["fields"] else { return }
        for (outField, mapping) in fields.members {
            guard case .array(let inputs)? = mapping["inputFields"] else { continue }
            for input in inputs {
                guard let key = node(input), let inField = input["field"]?.stringValue else { continue }
                let inputID = try id(of: key, in: &datasetIDs, find: findDataset, insert: insertDataset, seq: seq)
                try insertColumn.execute(arguments: [seq, outputID, outField, inputID, inField, runID, Self.isMasking(input, mapping) ? 1 : 0])
            }
        }
    }

    /// A transformation marked `masking: true` (OpenLineage 1-2-0), or the older `transformationType`
    /// `MASKED`, breaks the propagation of the input column's categories.
    static func isMasking(_ input: JSONValue, _ mapping: JSONValue) -> Bool {
        if case .array(let transformations)? = input["transformations"] {
            if transformations.contains(where: { $0["masking"] == .bool(true) }) { return true }
        }
        return mapping["transformationType"]?.stringValue?.uppercased() == "MASKED"
    }

    private func node(_ value: JSONValue?) -> NodeKey? {
        guard let namespace = value?["namespace"]?.stringValue, let name = value?["name"]?.stringValue else { return nil }
        return NodeKey(namespace: namespace, name: name)
    }

    private func id(of key: NodeKey, in cache: inout [NodeKey: Int64], find: Statement, insert: Statement, seq: Int64) throws -> Int64 {
        if let known = cache[key] { return known }
        let id: Int64
        if let existing = try Int64.fetchOne(find, arguments: [key.namespace, key.name]) {
            id = existing
        } else {
            try insert.execute(arguments: [key.namespace, key.name, seq])
            id = db.lastInsertedRowID
        }
        cache[key] = id
        return id
    }

    private func id(ofRun uuid: String, jobID: Int64, seq: Int64) throws -> Int64 {
        if let known = runIDs[uuid] { return known }
        let id: Int64
        if let existing = try Int64.fetchOne(findRun, arguments: [uuid]) {
            id = existing
        } else {
            try insertRun.execute(arguments: [uuid, jobID, seq])
            id = db.lastInsertedRowID
        }
        runIDs[uuid] = id
        return id
    }

    private func canonical(_ value: JSONValue?) throws -> String? {
        guard let value else { return nil }
        return String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
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
