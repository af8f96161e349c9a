public import CustodyLog
import CustodyModel
import Foundation
import GRDB

/// Keeps the lineage projections current: pass it to ingest (`Ingestor.ingest(…, projectors:)`), to
/// `EventStore.rebuildProjections` and to `EventStore.verify`.
public struct LineageProjector: LogProjector {
    public init() {}

    public var name: String { "lineage" }
    public var tables: [String] { LineageSchema.tables }

    public func begin(_ database: ProjectionDatabase) throws -> any ProjectionWriter {
        let db = database.database
        // Everything here names `main`: during verification the store is attached beside a scratch
        // database, and nothing of the store's may be dropped or changed.
        let layout = try db.tableExists("lineage_meta", in: "main")
            ? try String.fetchOne(db, sql: "SELECT value FROM main.lineage_meta WHERE key = 'layout'") : nil
        let built = try db.tableExists("lineage_dataset", in: "main")
        if built && layout != String(LineageSchema.layout) {
            // Built by another version of this projector: start again from the first event.
            for table in tables.reversed() { try db.execute(sql: "DROP TABLE IF EXISTS main.\(table)") }
            try db.execute(sql: "DELETE FROM main.projection_state WHERE name = ?", arguments: [name])
        }
        try db.execute(sql: LineageSchema.create)
        try db.execute(sql: "INSERT OR IGNORE INTO lineage_meta (key, value) VALUES ('layout', ?)", arguments: [String(LineageSchema.layout)])
        return try LineageWriter(db)
    }
}

/// Writes one transaction's worth of events into the lineage tables with prepared statements, and
/// remembers the ids it has looked up (they cannot change inside the transaction).
final class LineageWriter: ProjectionWriter {
    private var datasetIDs: [NodeKey: Int] = [:]
    private var jobIDs: [NodeKey: Int] = [:]
    private let findDataset, insertDataset, findJob, insertJob, upsertRun: RawStatement
    private let insertRunEvent, insertJobEvent, insertIO, insertFact, insertSubject, insertColumn: RawStatement

    private struct NodeKey: Hashable {
        let namespace: String
        let name: String
    }

    init(_ db: Database) throws {
        findDataset = try RawStatement(db, sql: "SELECT id FROM lineage_dataset WHERE namespace = ? AND name = ?")
        insertDataset = try RawStatement(db, sql: "INSERT INTO lineage_dataset (namespace, name, first_seq) VALUES (?, ?, ?)")
        findJob = try RawStatement(db, sql: "SELECT id FROM lineage_job WHERE namespace = ? AND name = ?")
        insertJob = try RawStatement(db, sql: "INSERT INTO lineage_job (namespace, name, first_seq) VALUES (?, ?, ?)")
        // One statement for a new run and for another event of a known one: the terminal event and the
        // facet are replaced only by later ones (event time, then sequence number).
        upsertRun = try RawStatement(db, sql: """
            INSERT INTO lineage_run (run_uuid, job_id, first_seq, terminal_type, terminal_time, terminal_seq, facet_time, facet_seq, processing)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            ON CONFLICT (run_uuid) DO UPDATE SET
                terminal_type = CASE WHEN excluded.terminal_time IS NOT NULL AND (terminal_time IS NULL
                    OR (excluded.terminal_time, excluded.terminal_seq) > (terminal_time, terminal_seq)) THEN excluded.terminal_type ELSE terminal_type END,
                terminal_seq = CASE WHEN excluded.terminal_time IS NOT NULL AND (terminal_time IS NULL
                    OR (excluded.terminal_time, excluded.terminal_seq) > (terminal_time, terminal_seq)) THEN excluded.terminal_seq ELSE terminal_seq END,
                terminal_time = CASE WHEN excluded.terminal_time IS NOT NULL AND (terminal_time IS NULL
                    OR (excluded.terminal_time, excluded.terminal_seq) > (terminal_time, terminal_seq)) THEN excluded.terminal_time ELSE terminal_time END,
                processing = CASE WHEN excluded.facet_time IS NOT NULL AND (facet_time IS NULL
                    OR (excluded.facet_time, excluded.facet_seq) > (facet_time, facet_seq)) THEN excluded.processing ELSE processing END,
                facet_seq = CASE WHEN excluded.facet_time IS NOT NULL AND (facet_time IS NULL
                    OR (excluded.facet_time, excluded.facet_seq) > (facet_time, facet_seq)) THEN excluded.facet_seq ELSE facet_seq END,
                facet_time = CASE WHEN excluded.facet_time IS NOT NULL AND (facet_time IS NULL
                    OR (excluded.facet_time, excluded.facet_seq) > (facet_time, facet_seq)) THEN excluded.facet_time ELSE facet_time END
            RETURNING id
            """)
        insertRunEvent = try RawStatement(db, sql: "INSERT INTO lineage_run_event (seq, run_id, event_type, event_time, processing) VALUES (?, ?, ?, ?, ?)")
        insertJobEvent = try RawStatement(db, sql: "INSERT INTO lineage_job_event (seq, job_id, event_time, processing) VALUES (?, ?, ?, ?)")
        insertIO = try RawStatement(db, sql: "INSERT OR IGNORE INTO lineage_io (run_id, direction, dataset_id, seq) VALUES (?, ?, ?, ?)")
        insertFact = try RawStatement(db, sql: """
            INSERT INTO lineage_dataset_fact (seq, role, position, dataset_id, run_id, event_time, categories, fields,
                classifications, subject_types, location, retention, anonymous, lifecycle)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertSubject = try RawStatement(db, sql: "INSERT OR IGNORE INTO lineage_subject (token, seq, dataset_id, kind, run_id, event_time) VALUES (?, ?, ?, ?, ?, ?)")
        insertColumn = try RawStatement(db, sql: """
            INSERT INTO lineage_column (seq, out_dataset, out_field, in_dataset, in_field, run_id, masking) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET masking = max(masking, excluded.masking)
            """)
    }

    func project(_ appended: AppendedEvent) throws {
        guard case .object(let event) = appended.event else { return }
        // Validation guaranteed a parsable eventTime before the event was appended.
        let time = event["eventTime"]?.stringValue.flatMap(RFC3339.parse).map { Int(Moment.microseconds($0.date)) } ?? 0
        let seq = appended.seq
        switch appended.kind {
        case .run:
            guard let job = node(event["job"]), let runUUID = event["run"]?["runId"]?.stringValue else { return }
            let jobID = try id(of: job, in: &jobIDs, find: findJob, insert: insertJob, seq: seq)
            try recordJobDefaults(event["job"], jobID: jobID, seq: seq, time: time)
            let processing = try canonical(event["run"]?["facets"]?[ProcessingFacet.name])
            let eventType = event["eventType"]?.stringValue ?? "OTHER"
            let terminal = ["COMPLETE", "FAIL", "ABORT"].contains(eventType)
            var runID = 0
            try upsertRun.forEachRow(
                .text(runUUID.lowercased()), .integer(jobID), .integer(seq),
                terminal ? .text(eventType) : .null, terminal ? .integer(time) : .null, terminal ? .integer(seq) : .null,
                processing == nil ? .null : .integer(time), processing == nil ? .null : .integer(seq), Self.text(processing)
            ) { runID = upsertRun.int(0) }
            try insertRunEvent.execute(.integer(seq), .integer(runID), .text(eventType), .integer(time), Self.text(processing))
            var outputs: [(Int, JSONValue)] = []
            for (direction, role) in [("inputs", "in"), ("outputs", "out")] {
                guard case .array(let datasets)? = event[direction] else { continue }
                for (position, dataset) in datasets.enumerated() {
                    guard let key = node(dataset) else { continue }
                    let datasetID = try id(of: key, in: &datasetIDs, find: findDataset, insert: insertDataset, seq: seq)
                    try insertIO.execute(.integer(runID), .text(role), .integer(datasetID), .integer(seq))
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

    private func recordJobDefaults(_ job: JSONValue?, jobID: Int, seq: Int, time: Int) throws {
        guard let processing = try canonical(job?["facets"]?[ProcessingFacet.name]) else { return }
        try insertJobEvent.execute(.integer(seq), .integer(jobID), .integer(time), .text(processing))
    }

    private func recordFacts(of dataset: JSONValue, datasetID: Int, role: String, position: Int, runID: Int?, seq: Int, time: Int) throws {
        let facts = DatasetEntryFacts(dataset)
        for (token, kind) in facts.subjects.map({ ($0, "w") }) + facts.erasedSubjects.map({ ($0, "e") }) {
            // Subjects named on an input were read from it, not written into it.
            try insertSubject.execute(.text(token), .integer(seq), .integer(datasetID), .text(role == "in" && kind == "w" ? "r" : kind),
                runID.map(RawStatement.RawValue.integer) ?? .null, .integer(time))
        }
        guard facts.isWorthRecording else { return }
        try insertFact.execute(
            .integer(seq), .text(role), .integer(position), .integer(datasetID), runID.map(RawStatement.RawValue.integer) ?? .null,
            .integer(time), Self.text(facts.categories.map(Self.jsonArray)), Self.text(facts.fieldsJSON),
            Self.text(facts.classifications.map(Self.jsonArray)), Self.text(facts.subjectTypes.map(Self.jsonArray)),
            Self.text(facts.location), Self.text(facts.retention), facts.anonymous.map { .integer($0 ? 1 : 0) } ?? .null,
            Self.text(facts.lifecycle))
    }

    private func recordColumnLineage(_ facet: JSONValue?, into outputID: Int, runID: Int, seq: Int) throws {
        guard case .object(let fields)? = facet?["fields"] else { return }
        for (outField, mapping) in fields.members {
            guard case .array(let inputs)? = mapping["inputFields"] else { continue }
            for input in inputs {
                guard let key = node(input), let inField = input["field"]?.stringValue else { continue }
                let inputID = try id(of: key, in: &datasetIDs, find: findDataset, insert: insertDataset, seq: seq)
                try insertColumn.execute(.integer(seq), .integer(outputID), .text(outField), .integer(inputID), .text(inField), .integer(runID),
                    .integer(Self.isMasking(input, mapping) ? 1 : 0))
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

    private func id(of key: NodeKey, in cache: inout [NodeKey: Int], find: RawStatement, insert: RawStatement, seq: Int) throws -> Int {
        if let known = cache[key] { return known }
        var id: Int?
        try find.forEachRow(.text(key.namespace), .text(key.name)) { id = find.int(0) }
        if id == nil {
            try insert.execute(.text(key.namespace), .text(key.name), .integer(seq))
            id = insert.lastInsertedRowID
        }
        cache[key] = id
        return id!
    }

    private static func text(_ value: String?) -> RawStatement.RawValue {
        value.map { .text($0) } ?? .null
    }

    /// The last facet encoded: runs of one job usually send the same facet, and comparing is cheaper than
    /// canonicalising again.
    private var lastCanonical: (value: JSONValue, text: String)?

    private func canonical(_ value: JSONValue?) throws -> String? {
        guard let value else { return nil }
        if let last = lastCanonical, last.value == value { return last.text }
        let text = String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
        lastCanonical = (value, text)
        return text
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
