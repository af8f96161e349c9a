public import CustodyLog
public import CustodyModel
import Foundation
import GRDB

/// Keeps the lineage projections current: pass it to ingest (`Ingestor.ingest(…, projectors:)`), to
/// `EventStore.rebuildProjections` and to `EventStore.verify`.
public struct LineageProjector: LogProjector {
    /// How many events a fill from empty projects between two passes of the category upkeep.
    let categoryPassSize: Int
    /// How many keys of each kind a transaction remembers before it gives the memory back (`KnownIDs`, `MetKeys`).
    let rememberedIDs: Int
    /// Whether the other core makes up what the writer read for a pass before working it out (see `CategoryUpkeep`).
    let passesInstall: Bool
    /// How a fill from empty tells the runs it inserted apart (`MetRuns`).
    let runKeyHash: @Sendable (String) -> Int

    public init() {
        self.init(categoryPassSize: CategoryUpkeep.passSize)
    }

    /// For tests: passes of a few events and a short memory of ids, so a short stream exercises what a
    /// long fill does. Without `passesInstall`, a pass worked out on the other core finds nothing loaded and
    /// the writer works it out again itself: the path that stands behind the installing. A `runKeyHash`
    /// that gives many runs one value exercises what a collision of hashes does.
    init(categoryPassSize: Int, rememberedIDs: Int = 500_000, passesInstall: Bool = true,
         runKeyHash: @escaping @Sendable (String) -> Int = { $0.hashValue }) {
        self.categoryPassSize = categoryPassSize
        self.rememberedIDs = rememberedIDs
        self.passesInstall = passesInstall
        self.runKeyHash = runKeyHash
    }

    public var name: String { "lineage" }
    public var tables: [String] { LineageSchema.tables }

    public func extract(_ event: JSONValue, kind: EventKind) -> any Sendable {
        EventFacts(event, kind: kind)
    }

    public func extract(stored event: JSONTape.Value, kind: EventKind) -> any Sendable {
        EventFacts(event, kind: kind)
    }

    public func begin(_ database: ProjectionDatabase) throws -> any ProjectionWriter {
        let db = database.database
        // Everything here names `main`: during verification the store is attached beside a scratch
        // database, and nothing of the store's may be dropped or changed.
        let layout = try db.tableExists("lineage_meta", in: "main")
            ? try String.fetchOne(db, sql: "SELECT value FROM main.lineage_meta WHERE key = 'layout'") : nil
        let built = try db.tableExists("lineage_dataset", in: "main")
        // Schema statements only when the tables are missing or another layout's: any of them, even a
        // CREATE … IF NOT EXISTS that changes nothing, makes GRDB drop every prepared statement it
        // caches, and a small transaction (a `decide`, an ingest of one event) would prepare them all again.
        if !built || layout != String(LineageSchema.layout) {
            if built {
                // Built by another version of this projector: start again from the first event.
                for table in tables.reversed() { try db.execute(sql: "DROP TABLE IF EXISTS main.\(table)") }
                try db.execute(sql: "DELETE FROM main.projection_state WHERE name = ?", arguments: [name])
            }
            try db.execute(sql: LineageSchema.createTables)
            try db.execute(sql: "INSERT OR IGNORE INTO lineage_meta (key, value) VALUES ('layout', ?)", arguments: [String(LineageSchema.layout)])
        }
        return try LineageWriter(db, categoryPassSize: categoryPassSize, rememberedIDs: rememberedIDs, passesInstall: passesInstall,
                                 runKeyHash: runKeyHash)
    }
}

/// Writes one transaction's worth of events into the lineage tables with prepared statements, and
/// remembers the ids it has looked up (they cannot change inside the transaction).
final class LineageWriter: ProjectionWriter {
    private var datasetIDs: KnownIDs<NodeKey>, jobIDs: KnownIDs<NodeKey>, processingIDs: KnownIDs<ExactText>
    /// The runs this transaction inserted: a run's row changes with its events, so a run met again is found.
    private var runs: MetRuns
    private let findDataset, insertDataset, findJob, insertJob, findProcessing, insertProcessing: RawStatement
    private let findRun, readRun, insertRun, updateRunTerminal, updateRunFacet: RawStatement
    private let latestJobDefaults: RawStatement
    private let insertJobEvent, insertColumn: RawStatement
    /// The rows nothing reads back while events are projected, gathered and written many at a time.
    private let insertRunEvent, insertIO, insertFact, insertSubject: BatchedInsert
    /// Filling a table from empty: its new rows, gathered likewise, their ids known without reading them back.
    private let newDatasets, newJobs, newRuns: NumberedRows?

    private let database: Database
    private let fromEmpty: Bool
    /// The tables this fill from empty fills without their key index (see `LineageSchema.keyColumns`).
    private var keyIndexesLeftOut: Set<String> = []
    /// Keeps the categories of what this transaction touches current.
    private let categories: CategoryUpkeep
    /// Filling from empty: what the upkeep's next pass would otherwise read back (see `PassJournal`).
    private let journal: PassJournal?

    init(_ db: Database, categoryPassSize: Int, rememberedIDs: Int, passesInstall: Bool, runKeyHash: @escaping @Sendable (String) -> Int) throws {
        database = db
        func isEmpty(_ table: String) throws -> Bool {
            try !(Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table))") ?? false)
        }
        fromEmpty = try isEmpty("lineage_dataset")
        if fromEmpty {
            keyIndexesLeftOut = try Set(LineageSchema.keyColumns.keys.filter(isEmpty))
            // Before any statement is prepared: a schema statement empties GRDB's statement cache.
            let dropKeys = keyIndexesLeftOut.sorted().map(LineageSchema.dropKeyIndex).joined()
            try db.execute(sql: dropKeys + LineageSchema.createFillingIndexes)
        }
        datasetIDs = KnownIDs(table: "lineage_dataset", tableWasEmpty: fromEmpty, limit: rememberedIDs)
        jobIDs = KnownIDs(table: "lineage_job", tableWasEmpty: try isEmpty("lineage_job"), limit: rememberedIDs)
        processingIDs = KnownIDs(table: "lineage_processing", tableWasEmpty: try isEmpty("lineage_processing"), limit: rememberedIDs)
        runs = MetRuns(tableWasEmpty: try isEmpty("lineage_run"), limit: rememberedIDs, hash: runKeyHash)
        let nodeColumns = ["namespace", "name", "first_seq"]
        newDatasets = datasetIDs.tableWasEmpty ? try NumberedRows(db, into: "lineage_dataset", columns: nodeColumns) : nil
        newJobs = jobIDs.tableWasEmpty ? try NumberedRows(db, into: "lineage_job", columns: nodeColumns) : nil
        newRuns = runs.remembersEveryRun ? try NumberedRows(db, into: "lineage_run", columns: [
            "run_uuid", "job_id", "first_seq", "terminal_type", "terminal_time", "terminal_seq", "facet_time", "facet_seq", "processing_id",
        ]) : nil
        categories = try CategoryUpkeep(db: db, fromEmpty: fromEmpty, passSize: categoryPassSize, passesInstall: passesInstall)
        journal = categories.journal
        findDataset = try RawStatement(cached: db, sql: "SELECT id FROM lineage_dataset WHERE namespace = ? AND name = ?")
        insertDataset = try RawStatement(cached: db, sql: "INSERT INTO lineage_dataset (namespace, name, first_seq) VALUES (?, ?, ?)")
        findJob = try RawStatement(cached: db, sql: "SELECT id FROM lineage_job WHERE namespace = ? AND name = ?")
        insertJob = try RawStatement(cached: db, sql: "INSERT INTO lineage_job (namespace, name, first_seq) VALUES (?, ?, ?)")
        findProcessing = try RawStatement(cached: db, sql: "SELECT id FROM lineage_processing WHERE facet = ?")
        insertProcessing = try RawStatement(cached: db, sql: "INSERT INTO lineage_processing (facet, first_seq) VALUES (?, ?)")
        // A run is looked up, then inserted or updated by its row id. One upsert with `RETURNING id` would do
        // both, but SQLite gives a statement with RETURNING a statement journal: every page it touched was
        // copied to a temporary file, about 2 GB for the benchmark's first ingest.
        findRun = try RawStatement(cached: db, sql: """
            SELECT id, terminal_time, terminal_seq, facet_time, facet_seq FROM lineage_run WHERE run_uuid = ?
            """)
        readRun = try RawStatement(cached: db, sql: """
            SELECT id, terminal_time, terminal_seq, facet_time, facet_seq, run_uuid FROM lineage_run WHERE id = ?
            """)
        insertRun = try RawStatement(cached: db, sql: """
            INSERT INTO lineage_run (run_uuid, job_id, first_seq, terminal_type, terminal_time, terminal_seq, facet_time, facet_seq, processing_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        updateRunTerminal = try RawStatement(cached: db, sql: """
            UPDATE lineage_run SET terminal_type = ?, terminal_time = ?, terminal_seq = ? WHERE id = ?
            """)
        updateRunFacet = try RawStatement(cached: db, sql: "UPDATE lineage_run SET processing_id = ?, facet_time = ?, facet_seq = ? WHERE id = ?")
        insertRunEvent = try BatchedInsert(db, into: "lineage_run_event", columns: ["seq", "run_id", "event_type", "event_time", "processing_id"],
            onConflict: .fail)
        latestJobDefaults = try RawStatement(cached: db, sql: "SELECT processing_id FROM lineage_job_event WHERE job_id = ? ORDER BY event_time DESC, seq DESC LIMIT 1")
        insertJobEvent = try RawStatement(cached: db, sql: "INSERT INTO lineage_job_event (seq, job_id, event_time, processing_id) VALUES (?, ?, ?, ?)")
        insertIO = try BatchedInsert(db, into: "lineage_io", columns: ["run_id", "direction", "dataset_id", "seq"], onConflict: .ignore)
        insertFact = try BatchedInsert(db, into: "lineage_dataset_fact", columns: [
            "seq", "role", "position", "dataset_id", "run_id", "event_time", "categories", "fields",
            "classifications", "subject_types", "location", "retention", "anonymous", "lifecycle",
        ], onConflict: .fail)
        // An event naming one person twice on one dataset names them there once.
        insertSubject = try BatchedInsert(db, into: "lineage_subject", columns: ["token", "seq", "dataset_id", "kind", "run_id", "event_time"],
            onConflict: .ignore)
        insertColumn = try RawStatement(cached: db, sql: """
            INSERT INTO lineage_column (seq, out_dataset, out_field, in_dataset, in_field, run_id, masking) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET masking = max(masking, excluded.masking)
            """)
        categories.beforeReading = { [insertRunEvent, insertIO, insertFact, insertSubject, newDatasets, newJobs, newRuns] in
            for rows in [newDatasets, newJobs, newRuns] { try rows?.flush() }
            for rows in [insertRunEvent, insertIO, insertFact, insertSubject] { try rows.flush() }
        }
    }

    func project(_ facts: any Sendable, seq: Int, tokens: any SubjectTokens) throws {
        guard let facts = facts as? EventFacts else {
            throw LogError(.internalInconsistency, "the lineage projection was handed another projector's facts for event \(seq)")
        }
        let time = facts.time
        switch facts.body {
        case .run(let run):
            let jobID = try jobID(run.job, seq: seq)
            try recordJobDefaults(run.jobDefaults, jobID: jobID, seq: seq, time: time)
            let processing = try processingID(run.processing, seq: seq)
            let facet = processing.map(RawStatement.RawValue.integer) ?? .null
            let runID = try record(run, jobID: jobID, processing: processing, seq: seq, time: time)
            categories.touched(run: runID)
            try insertRunEvent.append { row in
                row.add(.integer(seq))
                row.add(.integer(runID))
                row.add(.text(run.eventType))
                row.add(.integer(time))
                row.add(facet)
            }
            // `record` borrows each entry and reads its facts in place rather than copying them: a copy retains
            // each of their texts, on this thread, which everything waits for.
            func recordEdge(_ entry: borrowing DatasetEntry, role: String) throws -> Int {
                let datasetID = try datasetID(entry.node, seq: seq)
                try insertIO.append { row in
                    row.add(.integer(runID))
                    row.add(.text(role))
                    row.add(.integer(datasetID))
                    row.add(.integer(seq))
                }
                journal?.edge(run: Int64(runID), output: role == "out", dataset: Int64(datasetID))
                try record(entry, datasetID: datasetID, role: role, runID: runID, seq: seq, time: time, tokens: tokens)
                return datasetID
            }
            for index in run.inputs.indices { _ = try recordEdge(run.inputs[index], role: "in") }
            var outputIDs: [Int] = []
            for index in run.outputs.indices { outputIDs.append(try recordEdge(run.outputs[index], role: "out")) }
            for edge in run.columns {
                let inputID = try datasetID(edge.input, seq: seq)
                try insertColumn.execute(.integer(seq), .integer(outputIDs[edge.output]), .text(edge.outField), .integer(inputID),
                    .text(edge.inField), .integer(runID), .integer(edge.masking ? 1 : 0))
                journal?.column(PassJournal.ColumnRow(seq: seq, dataset: Int64(outputIDs[edge.output]), run: Int64(runID), outField: edge.outField,
                    input: Int64(inputID), inField: edge.inField, masking: edge.masking))
            }
        case .job(let job, let defaults):
            let jobID = try jobID(job, seq: seq)
            try recordJobDefaults(defaults, jobID: jobID, seq: seq, time: time)
        case .dataset(let entry):
            let datasetID = try datasetID(entry.node, seq: seq)
            try record(entry, datasetID: datasetID, role: "inventory", runID: nil, seq: seq, time: time, tokens: tokens)
        case .nothing:
            break
        }
        try categories.projected()
    }

    func finish() throws {
        // The rows still gathered (`BatchedInsert`) go in before the indexes are built over them.
        try categories.beforeReading()
        // Tables filled from empty get their query indexes now (see `LineageSchema.createIndexes`); later
        // transactions find them there, since a layout with other indexes is rebuilt from empty.
        if fromEmpty {
            // The category upkeep's last pass is worked out on the other core while the indexes are built.
            try categories.beginFinishing()
            try database.execute(sql: LineageSchema.createKeyIndexes + LineageSchema.dropFillingIndexes + LineageSchema.createIndexes)
        }
        try categories.finish()
    }

    /// Stores a run's event in its row: a new run is inserted; of a known one, the terminal event and the
    /// facet are replaced only by later ones (event time, then sequence number), so events arriving out of
    /// order leave the same row. Returns the run's row id.
    private func record(_ run: RunFacts, jobID: Int, processing: Int?, seq: Int, time: Int) throws -> Int {
        let terminal = run.isTerminal
        let stamp = Moment(time: Int64(time), seq: seq)
        var known: (id: Int, terminal: Moment?, facet: Moment?)?
        let runKey = runs.key(run.runUUID)
        if case .perhaps(let id) = runs[runKey] {
            try newRuns?.flush()
            try readRun.forEachRow(.integer(id)) {
                if let uuid = readRun.text(5), ExactText.sameBytes(uuid, run.runUUID) { known = (readRun.int(0), moment(readRun, at: 1), moment(readRun, at: 3)) }
            }
            if known == nil {
                // Another run with the same hash: from now on every run is looked up by its key.
                runs.forget()
                try ensureKeyIndex(of: "lineage_run")
            }
        }
        if known == nil, case .lookUp = runs[runKey] {
            try newRuns?.flush()
            try findRun.forEachRow(.text(run.runUUID)) {
                known = (findRun.int(0), moment(findRun, at: 1), moment(findRun, at: 3))
            }
        }
        guard let known else {
            let row: [RawStatement.RawValue] = [
                .text(run.runUUID), .integer(jobID), .integer(seq),
                terminal ? .text(run.eventType) : .null, terminal ? .integer(time) : .null, terminal ? .integer(seq) : .null,
                processing == nil ? .null : .integer(time), processing == nil ? .null : .integer(seq),
                processing.map(RawStatement.RawValue.integer) ?? .null,
            ]
            let id: Int
            if runs.remembersEveryRun, let newRuns {
                id = try newRuns.insert { new in for value in row { new.add(value) } }
            } else {
                try newRuns?.flush()
                try insertRun.execute(row)
                id = insertRun.lastInsertedRowID
            }
            if !runs.inserted(runKey, id: id) { try ensureKeyIndex(of: "lineage_run") }
            journal?.insertedRun(QueryContext.RunRow(id: Int64(id), job: Int64(jobID), terminal: terminal ? (run.eventType == "COMPLETE", stamp) : nil,
                facet: processing.map { (stamp, Int64($0)) }))
            return id
        }
        if terminal, known.terminal.map({ $0 < stamp }) ?? true {
            try updateRunTerminal.execute(.text(run.eventType), .integer(time), .integer(seq), .integer(known.id))
            journal?.updatedRun(Int64(known.id), terminal: (run.eventType == "COMPLETE", stamp))
        }
        if let processing, known.facet.map({ $0 < stamp }) ?? true {
            try updateRunFacet.execute(.integer(processing), .integer(time), .integer(seq), .integer(known.id))
            journal?.updatedRun(Int64(known.id), facet: (stamp, Int64(processing)))
        }
        return known.id
    }

    /// The moment in columns `column` (time) and `column + 1` (sequence number) of the current row, if set.
    private func moment(_ statement: RawStatement, at column: Int32) -> Moment? {
        statement.isNull(column) ? nil : Moment(time: Int64(statement.int(column)), seq: statement.int(column + 1))
    }

    private func recordJobDefaults(_ defaults: ExactText?, jobID: Int, seq: Int, time: Int) throws {
        guard let processing = try processingID(defaults, seq: seq) else { return }
        // Jobs mostly send the same defaults every time: only a different facet can change what their runs
        // carried. (Filling from empty, the job index does not exist yet; the pass works its runs out anyway.)
        if try fromEmpty || latestDefaults(ofJob: jobID) != processing { categories.touched(job: jobID) }
        try insertJobEvent.execute(.integer(seq), .integer(jobID), .integer(time), .integer(processing))
    }

    private func latestDefaults(ofJob jobID: Int) throws -> Int? {
        var latest: Int?
        try latestJobDefaults.forEachRow(.integer(jobID)) { latest = latestJobDefaults.int(0) }
        return latest
    }

    private func record(_ entry: borrowing DatasetEntry, datasetID: Int, role: String, runID: Int?, seq: Int, time: Int,
                        tokens: any SubjectTokens) throws {
        let run = runID.map(RawStatement.RawValue.integer) ?? .null
        // Subjects named on an input were read from it, not written into it.
        func subject(_ token: String, kind: String) throws {
            try insertSubject.append { row in
                row.add(.text(token))
                row.add(.integer(seq))
                row.add(.integer(datasetID))
                row.add(.text(kind))
                row.add(run)
                row.add(.integer(time))
            }
        }
        for index in entry.facts.subjects.indices {
            try subject(try tokens.token(for: entry.facts.subjects[index], erasing: false), kind: role == "in" ? "r" : "w")
        }
        for index in entry.facts.erasedSubjects.indices {
            try subject(try tokens.token(for: entry.facts.erasedSubjects[index], erasing: true), kind: "e")
        }
        guard entry.facts.isWorthRecording else { return }
        categories.touched(dataset: datasetID)
        try insertFact.append { row in
            row.add(.integer(seq))
            row.add(.text(role))
            row.add(.integer(entry.position))
            row.add(.integer(datasetID))
            row.add(run)
            row.add(.integer(time))
            row.add(Self.text(entry.facts.categories))
            row.add(Self.text(entry.facts.fields))
            row.add(Self.text(entry.facts.classifications))
            row.add(Self.text(entry.facts.subjectTypes))
            row.add(Self.text(entry.facts.location))
            row.add(Self.text(entry.facts.retention))
            row.add(entry.facts.anonymous.map { .integer($0 ? 1 : 0) } ?? .null)
            row.add(Self.text(entry.facts.lifecycle))
        }
        journal?.fact(QueryContext.FactRow(dataset: Int64(datasetID), seq: seq, role: role, run: runID.map(Int64.init), time: Int64(time),
            categories: entry.facts.categories, fields: entry.facts.fields, classifications: entry.facts.classifications, subjectTypes: entry.facts.subjectTypes,
            retention: entry.facts.retention, location: entry.facts.location, lifecycle: entry.facts.lifecycle, anonymous: entry.facts.anonymous.map { $0 ? 1 : 0 }))
    }

    // Each looks its key up before making the values to bind: most keys are met again, and a list of values
    // is an allocation.
    private func jobID(_ key: NodeKey, seq: Int) throws -> Int {
        if let id = jobIDs[key] { return id }
        return try id(of: key, in: &jobIDs, find: findJob, insert: insertJob, numbered: newJobs, seq: seq, .text(key.namespace), .text(key.name))
    }

    private func datasetID(_ key: NodeKey, seq: Int) throws -> Int {
        if let id = datasetIDs[key] { return id }
        return try id(of: key, in: &datasetIDs, find: findDataset, insert: insertDataset, numbered: newDatasets, seq: seq, .text(key.namespace),
            .text(key.name)) { [journal] in journal?.insertedDataset(Int64($0)) }
    }

    /// Each distinct facet is stored once: runs of a job mostly send the same one.
    private func processingID(_ facet: ExactText?, seq: Int) throws -> Int? {
        guard let facet else { return nil }
        if let id = processingIDs[facet] { return id }
        return try id(of: facet, in: &processingIDs, find: findProcessing, insert: insertProcessing, numbered: nil, seq: seq, .text(facet.text))
    }

    /// The row id of a node or facet this transaction's cache does not hold (its callers look there first):
    /// from the table (`find` with `key` bound), or newly inserted (`insert` with `key` and the event's sequence
    /// number bound, or gathered in `numbered` while a fill from empty remembers every key it met; then
    /// `inserted` told).
    private func id<Key: Hashable>(of cacheKey: Key, in known: inout KnownIDs<Key>, find: RawStatement, insert: RawStatement,
                                   numbered: NumberedRows?, seq: Int, _ key: RawStatement.RawValue...,
                                   inserted: (Int) -> Void = { _ in }) throws -> Int {
        var id: Int?
        if known.tableWasEmpty, let numbered {
            id = try numbered.insert { row in
                for value in key { row.add(value) }
                row.add(.integer(seq))
            }
            inserted(id!)
        } else {
            // What was gathered goes in before the table is read, or SQLite numbers a row of it.
            try numbered?.flush()
            if !known.tableWasEmpty { try find.forEachRow(key) { id = find.int(0) } }
            if id == nil {
                try insert.execute(key + [.integer(seq)])
                id = insert.lastInsertedRowID
                inserted(id!)
            }
        }
        known.remember(id!, for: cacheKey)
        if !known.tableWasEmpty { try ensureKeyIndex(of: known.table) }
        return id!
    }

    /// Builds the key index this fill left out of `table`, once keys of it are to be looked up.
    private func ensureKeyIndex(of table: String) throws {
        guard keyIndexesLeftOut.remove(table) != nil else { return }
        try database.execute(sql: LineageSchema.createKeyIndex(of: table))
    }

    private static func text(_ value: String?) -> RawStatement.RawValue {
        value.map { .text($0) } ?? .null
    }
}

/// The row ids of one kind of row a transaction has met, by key. While the table was empty as the
/// transaction began and every key met since is remembered, a key not met yet is new: it is inserted
/// without being looked up first. Past `limit` keys the memory is given back and keys are looked up again,
/// so a very long fill does not grow without bound.
private struct KnownIDs<Key: Hashable> {
    private(set) var ids: [Key: Int] = [:]
    private(set) var tableWasEmpty: Bool
    let table: String
    let limit: Int

    init(table: String, tableWasEmpty: Bool, limit: Int) {
        self.table = table
        self.tableWasEmpty = tableWasEmpty
        self.limit = limit
    }

    subscript(key: Key) -> Int? { ids[key] }

    /// Remembers `id` for `key`, first giving the memory back when it holds `limit` keys.
    mutating func remember(_ id: Int, for key: Key) {
        guard ids.count < limit else {
            ids = [key: id]
            tableWasEmpty = false
            return
        }
        ids[key] = id
    }
}

/// The runs a transaction inserted, by the hash of their UUID. While the table was empty as the
/// transaction began and every run inserted since is remembered, a run whose hash is not here is new: it is
/// inserted without a lookup; one whose hash is here is perhaps that row (the writer reads the row and
/// compares). Otherwise every run is looked up by its UUID. Past `limit` runs the memory is given back.
/// Hashes rather than UUIDs: a fill remembers every run it inserts, and the strings would cost several
/// times the memory.
private struct MetRuns {
    enum Answer {
        /// Certainly not in the table.
        case new
        /// Perhaps the row with this id: another run may share the hash.
        case perhaps(Int)
        /// Not remembered: look it up by its key.
        case lookUp
    }

    private var ids: [Int: Int] = [:]
    private var remembering: Bool
    let limit: Int
    let hash: (String) -> Int

    init(tableWasEmpty: Bool, limit: Int, hash: @escaping (String) -> Int) {
        remembering = tableWasEmpty
        self.limit = limit
        self.hash = hash
    }

    /// What a run is remembered by: worked out once per event, for the lookup and the insertion after it.
    func key(_ uuid: String) -> Int {
        hash(uuid)
    }

    /// Whether every run inserted since the table was empty is remembered, so a run not met is new.
    var remembersEveryRun: Bool { remembering }

    subscript(key: Int) -> Answer {
        guard remembering else { return .lookUp }
        return ids[key].map(Answer.perhaps) ?? .new
    }

    /// Remembers a run just inserted (by its `key`); `false` once it no longer remembers (past `limit`, or after
    /// `forget`).
    mutating func inserted(_ key: Int, id: Int) -> Bool {
        guard remembering else { return false }
        guard ids.count < limit else {
            forget()
            return false
        }
        ids[key] = id
        return true
    }

    /// Gives the memory back: from now on every run is looked up.
    mutating func forget() {
        ids = [:]
        remembering = false
    }
}

/// The new rows of a table a fill found empty, gathered and written many at a time (`BatchedInsert`) instead of
/// one statement each with the id read back after it: datasets, jobs and runs were most of a fill's single-row
/// statements. Their ids are known without reading them: SQLite gives a row inserted without one the largest id
/// in the table plus one, so the table's rows are numbered 1, 2, 3… in the order they are gathered (an id given
/// explicitly would cost SQLite a seek per row, where it otherwise appends). Whatever reads the table, or has
/// SQLite number a row of it otherwise, writes them first (`flush`); once the writer stops remembering every
/// key it met, it gathers no more.
private final class NumberedRows {
    private let rows: BatchedInsert
    private var lastID = 0

    init(_ db: Database, into table: String, columns: [String]) throws {
        rows = try BatchedInsert(db, into: table, columns: columns, onConflict: .fail)
    }

    /// Gathers the row `fill` adds, and returns the id it will have.
    func insert(_ fill: (inout BatchedInsert.Row) -> Void) throws -> Int {
        try rows.append(fill)
        lastID += 1
        return lastID
    }

    func flush() throws {
        try rows.flush()
    }
}
