import CustodyLog
import CustodyModel
import CustodyPack
import Foundation
import GRDB

/// One query's view of the projections: a read snapshot, a horizon, the pack, and what has been looked
/// up so far (each run, dataset and name is read once per query).
final class QueryContext {
    let db: Database
    let horizon: ResolvedHorizon
    private let packIfGiven: PolicyPack?
    private var runs: [Int64: RunRecord?] = [:]
    private var jobDefaults: [Int64: JSONValue?] = [:]
    private var names: [Int64: NodeName] = [:]
    private var states: [Int64: DatasetState] = [:]

    init(db: Database, horizon: Horizon, pack: PolicyPack) throws {
        self.db = db
        self.horizon = try ResolvedHorizon(horizon, db: db)
        packIfGiven = pack
    }

    /// A view of every row of the projection tables, without a pack: for the lineage writer, which keeps
    /// what is stored before the pack is applied (`CategoryPropagation.carried`).
    init(projectionOf db: Database) {
        self.db = db
        horizon = .wholeProjection
        packIfGiven = nil
    }

    /// The pack questions are asked with. The writer's view has none and never asks what needs one.
    var pack: PolicyPack {
        guard let packIfGiven else { preconditionFailure("the lineage writer asked a question that needs the policy pack") }
        return packIfGiven
    }

    // MARK: stored categories

    /// Whether `lineage_held` describes this view: it sees every event the projection covers, at any event
    /// time. Views as of an earlier time, or known at an earlier time, work the categories out instead.
    private(set) lazy var seesStoredCategories: Bool = {
        guard horizon.isEverything else { return false }
        let projected = try? Int.fetchOne(db, sql: "SELECT through FROM projection_state WHERE name = 'lineage'")
        return projected == horizon.knownSize
    }()

    private static let heldColumns = "dataset_id, pseudonymised, entries, collection_purposes, first_time, first_seq, first_origin"

    /// The categories `lineage_held` keeps for each of `ids`, before the pack is applied (absent: none).
    func storedCategories(of ids: some Sequence<Int64>) throws -> [Int64: CarriedCategories] {
        var found: [Int64: CarriedCategories] = [:]
        var pool = TextPool()
        for row in try storedCategoryRows(of: ids) { found[row.dataset] = try row.decoded(pool: &pool) }
        return found
    }

    /// The rows of `lineage_held` for `ids`, as stored (decoded by the caller, on any thread).
    func storedCategoryRows(of ids: some Sequence<Int64>) throws -> [StoredCategoryRow] {
        try storedRows(where: "WHERE dataset_id IN (SELECT value FROM json_each(?))", Self.idList(ids))
    }

    /// Every row of `lineage_held`, as stored: for the whole store, one scan, decoded by the caller (on every core).
    func storedCategoryRows() throws -> [StoredCategoryRow] {
        try storedRows(where: "", nil)
    }

    private func storedRows(where filter: String, _ argument: RawStatement.RawValue?) throws -> [StoredCategoryRow] {
        var rows: [StoredCategoryRow] = []
        let statement = try statement("SELECT \(Self.heldColumns) FROM lineage_held \(filter)")
        try statement.forEachRow(argument.map { [$0] } ?? []) {
            rows.append(StoredCategoryRow(dataset: Int64(statement.int(0)), pseudonymised: statement.int(1) != 0, entries: statement.text(2) ?? "",
                collectionPurposes: statement.text(3) ?? "",
                firstWrite: statement.isNull(4) ? nil
                    : CarriedCategories.FirstWrite(time: Int64(statement.int(4)), seq: statement.int(5), origin: Int64(statement.int(6)))))
        }
        return rows
    }

    /// One row of `lineage_held`, its texts not yet decoded.
    struct StoredCategoryRow: Sendable {
        let dataset: Int64
        let pseudonymised: Bool
        let entries: String, collectionPurposes: String
        let firstWrite: CarriedCategories.FirstWrite?

        /// The row's categories, their texts shared through `pool` with the other rows read with it.
        func decoded(pool: inout TextPool) throws -> CarriedCategories {
            guard let carried = CarriedCategories(encodedEntries: entries, pseudonymised: pseudonymised,
                encodedCollectionPurposes: collectionPurposes, firstWrite: firstWrite, pool: &pool) else {
                throw LogError(.integrity, "the stored categories of dataset \(dataset) (table lineage_held) cannot be read; "
                    + "run 'custody verify' to see what changed, then 'custody rebuild' once the file is kept as evidence")
            }
            return carried
        }
    }

    // MARK: graph

    private static let nameSQL = "SELECT namespace, name FROM lineage_dataset WHERE id = ?"
    private static let touchingSQL = "SELECT run_id FROM lineage_io WHERE dataset_id = ? AND direction = ? AND seq < ?"
    private static let ofRunSQL = "SELECT dataset_id FROM lineage_io WHERE run_id = ? AND direction = ? AND seq < ?"
    private static let runHeaderSQL = """
        SELECT r.run_uuid, r.job_id, j.namespace, j.name FROM lineage_run r JOIN lineage_job j ON j.id = r.job_id WHERE r.id = ?
        """
    private static let runEventsSQL = "SELECT seq, event_type, event_time, processing_id FROM lineage_run_event WHERE run_id = ?"

    private var statements: [String: RawStatement] = [:]

    /// Thrown instead of reading once `forbidReads()` was called.
    struct ReadForbidden: Error {}

    private var readsForbidden = false

    /// From now on, whatever is not loaded already throws `ReadForbidden` instead of being read: the
    /// lineage writer works a region out on another thread from what it read and installed, while its connection
    /// goes on writing, and must never touch that connection from there.
    func forbidReads() {
        readsForbidden = true
    }

    /// `body`'s result, with reads forbidden while it runs: threads it starts may then ask the context for
    /// what is loaded at the same time, since nothing is read or remembered meanwhile (what is not loaded
    /// throws `ReadForbidden`, before any cache is touched). `nil` when it threw that: the caller asks again
    /// on one thread, reads allowed.
    func whileReadsForbidden<Result>(_ body: () throws -> Result) rethrows -> Result? {
        readsForbidden = true
        defer { readsForbidden = false }
        do {
            return try body()
        } catch is ReadForbidden {
            return nil
        }
    }

    /// What the context loaded, handed over and emptied from it: a whole store's runs, names, states, facts
    /// and edges are millions of objects, and taking them apart is a tenth of a whole-store question, which
    /// the caller can do once it has answered (`Leftovers`). The statements stay, to be let go on the
    /// connection's thread.
    func takeLoaded() -> Leftovers {
        let loaded = Leftovers((runs, names, states, presences, subjects, loadedSubjects, edges, loadedEdges, columnMappings,
            loadedColumnMappings, runStateCache, jobNames))
        runs = [:]; names = [:]; states = [:]; presences = [:]; subjects = nil; loadedSubjects = [:]; edges = nil; loadedEdges = [:]
        columnMappings = nil; loadedColumnMappings = [:]; runStateCache = [:]; jobNames = [:]
        return loaded
    }

    /// The prepared statement for `sql`, from the connection's cache, kept for this query.
    private func statement(_ sql: String) throws -> RawStatement {
        guard !readsForbidden else { throw ReadForbidden() }
        if let known = statements[sql] { return known }
        let prepared = try RawStatement(cached: db, sql: sql)
        statements[sql] = prepared
        return prepared
    }

    func datasetName(_ id: Int64) throws -> NodeName {
        if let known = names[id] { return known }
        let statement = try statement(Self.nameSQL)
        var name = NodeName(.dataset, namespace: "", name: "")
        try statement.forEachRow(.integer(Int(id))) {
            name = NodeName(.dataset, namespace: statement.text(0) ?? "", name: statement.text(1) ?? "")
        }
        names[id] = name
        return name
    }

    /// Runs that read (`in`) or wrote (`out`) a dataset, as far as the horizon's events say.
    func runs(touching dataset: Int64, _ direction: String) throws -> [Int64] {
        if let edges { return Edges.list(direction == "out" ? edges.writers : edges.readers, dataset) }
        if let known = loadedEdges[LoadedEdge(id: dataset, ofRun: false, output: direction == "out")] { return known }
        return try ids(Self.touchingSQL, dataset, direction)
    }

    /// The datasets a run read (`in`) or wrote (`out`).
    func datasets(of run: Int64, _ direction: String) throws -> [Int64] {
        if let edges { return Edges.list(direction == "out" ? edges.outputs : edges.inputs, run) }
        if let known = loadedEdges[LoadedEdge(id: run, ofRun: true, output: direction == "out")] { return known }
        return try ids(Self.ofRunSQL, run, direction)
    }

    private func ids(_ sql: String, _ id: Int64, _ direction: String) throws -> [Int64] {
        let statement = try statement(sql)
        var found: [Int64] = []
        try statement.forEachRow(.integer(Int(id)), .text(direction), .integer(horizon.knownSize)) { found.append(Int64(statement.int(0))) }
        return found
    }

    // MARK: part of the store, in a few statements

    private static let touchingAnyWithoutEventsSQL = """
        SELECT DISTINCT io.run_id FROM lineage_io io WHERE io.dataset_id IN (SELECT value FROM json_each(?1)) AND io.seq < ?2
            AND NOT EXISTS (SELECT 1 FROM lineage_run_event e WHERE e.run_id = io.run_id AND e.seq >= ?3 AND e.seq < ?4 AND e.seq < ?2
                AND e.event_time <= ?5)
        """

    /// The runs that read or wrote any of `datasets` and have no event in `window` that the horizon sees.
    func runs(touchingAnyOf datasets: some Collection<Int64>, withoutEventsIn window: Range<Int>) throws -> Set<Int64> {
        guard !datasets.isEmpty else { return [] }
        let statement = try statement(Self.touchingAnyWithoutEventsSQL)
        var found = Set<Int64>()
        try statement.forEachRow(Self.idList(datasets), .integer(horizon.knownSize), .integer(window.lowerBound), .integer(window.upperBound),
            .integer(Int(horizon.asOf))) { found.insert(Int64(statement.int(0))) }
        return found
    }

    /// Reads the datasets each of `runs` read and wrote in one statement; `datasets(of:_:)` then answers from memory.
    func preload(edgesOfRuns runs: some Collection<Int64>) throws {
        guard edges == nil else { return }
        let missing = runs.filter { loadedEdges[LoadedEdge(id: $0, ofRun: true, output: false)] == nil }
        guard !missing.isEmpty else { return }
        for run in missing {
            loadedEdges[LoadedEdge(id: run, ofRun: true, output: true)] = []
            loadedEdges[LoadedEdge(id: run, ofRun: true, output: false)] = []
        }
        // In the key's order, so each list is in dataset order as the per-run statement gives it.
        let statement = try statement("""
            SELECT run_id, direction = 'out', dataset_id FROM lineage_io WHERE run_id IN (SELECT value FROM json_each(?1)) AND seq < ?2
            ORDER BY run_id, direction, dataset_id
            """)
        try statement.forEachRow(Self.idList(missing), .integer(horizon.knownSize)) {
            loadedEdges[LoadedEdge(id: Int64(statement.int(0)), ofRun: true, output: statement.int(1) != 0), default: []]
                .append(Int64(statement.int(2)))
        }
    }

    /// Reads the runs that read each of `datasets`, with their states, in one statement: `runStates(touching:_:)`
    /// then answers from memory for them.
    func preload(readersOf datasets: some Collection<Int64>) throws {
        guard edges == nil else { return }
        let missing = datasets.filter { loadedEdges[LoadedEdge(id: $0, ofRun: false, output: false)] == nil }
        guard !missing.isEmpty else { return }
        var readers: [Int64: [Int64]] = [:]
        var rows: [RunRow] = []
        let statement = try statement("""
            SELECT r.id, r.job_id, r.terminal_type = 'COMPLETE', r.terminal_time, r.terminal_seq, r.facet_time, r.facet_seq, r.processing_id,
                   io.dataset_id
            FROM lineage_io io JOIN lineage_run r ON r.id = io.run_id
            WHERE io.dataset_id IN (SELECT value FROM json_each(?1)) AND io.direction = 'in' AND io.seq < ?2
            ORDER BY io.dataset_id, io.run_id
            """)
        try statement.forEachRow(Self.idList(missing), .integer(horizon.knownSize)) {
            let row = RunRow(statement)
            readers[Int64(statement.int(8)), default: []].append(row.id)
            if runStateCache[row.id] == nil { rows.append(row) }
        }
        try preload(jobDefaultsOfRuns: Set(rows.map(\.id)))
        for row in rows where runStateCache[row.id] == nil { if let state = try state(of: row) { runStateCache[row.id] = state } }
        for dataset in missing { loadedEdges[LoadedEdge(id: dataset, ofRun: false, output: false)] = readers[dataset] ?? [] }
    }

    /// Reads the people events wrote into or erased from each of `datasets` in one statement.
    func preload(subjectFactsOf datasets: some Collection<Int64>) throws {
        guard subjects == nil else { return }
        let missing = datasets.filter { loadedSubjects[$0] == nil }
        guard !missing.isEmpty else { return }
        for dataset in missing { loadedSubjects[dataset] = [] }
        let statement = try statement("""
            SELECT dataset_id, token, seq, kind, run_id, event_time FROM lineage_subject
            WHERE dataset_id IN (SELECT value FROM json_each(?)) AND kind IN ('w', 'e')
            """)
        try statement.forEachRow(Self.idList(missing)) {
            let fact = SubjectFact(statement)
            loadedSubjects[fact.dataset, default: []].append(fact)
        }
    }

    // MARK: runs

    private static let statesSQL = """
        SELECT r.id, r.job_id, r.terminal_type = 'COMPLETE', r.terminal_time, r.terminal_seq, r.facet_time, r.facet_seq, r.processing_id
        FROM lineage_io io JOIN lineage_run r ON r.id = io.run_id
        WHERE io.dataset_id = ? AND io.direction = ? AND io.seq < ?
        """
    private static let jobSQL = "SELECT namespace, name FROM lineage_job WHERE id = ?"
    private var jobNames: [Int64: NodeName] = [:]

    /// The runs that read (`in`) or wrote (`out`) a dataset, with what a walk needs: one statement for
    /// all of them. A run's latest terminal event and facet are kept on its row; where the horizon hides
    /// them, the run is read event by event instead.
    func runStates(touching dataset: Int64, _ direction: String) throws -> [RunState] {
        if edges != nil || loadedEdges[LoadedEdge(id: dataset, ofRun: false, output: direction == "out")] != nil {
            return try runs(touching: dataset, direction).compactMap { id in
                if let state = runStateCache[id] { return state }
                return try run(id).map { RunState(id: $0.id, jobID: $0.jobID, completion: $0.completion, processing: $0.processing) }
            }
        }
        let statement = try statement(Self.statesSQL)
        var rows: [RunRow] = []
        try statement.forEachRow(.integer(Int(dataset)), .text(direction), .integer(horizon.knownSize)) { rows.append(RunRow(statement)) }
        return try rows.compactMap(state(of:))
    }

    private static let readersSQL = """
        SELECT r.id, r.job_id, r.terminal_type = 'COMPLETE', r.terminal_time, r.terminal_seq, r.facet_time, r.facet_seq, r.processing_id,
               o.dataset_id,
               EXISTS (SELECT 1 FROM lineage_dataset_fact f WHERE f.dataset_id = o.dataset_id AND (f.anonymous IS NOT NULL OR f.lifecycle IS NOT NULL))
        FROM lineage_io io JOIN lineage_run r ON r.id = io.run_id LEFT JOIN lineage_processing p ON p.id = r.processing_id
        LEFT JOIN lineage_io o ON o.run_id = r.id AND o.direction = 'out' AND o.seq < ?2
        WHERE io.dataset_id = ?1 AND io.direction = 'in' AND io.seq < ?2
        """

    /// Run states made from their rows (`readRegion`, `install`).
    private var runStateCache: [Int64: RunState] = [:]

    /// The rows of many runs, in one statement: what working out categories needs of a run, without its
    /// events and summary. Only for views that see every event (rows hold the latest).
    private func runRows(_ ids: some Collection<Int64>) throws -> [RunRow] {
        precondition(horizon.isEverything, "run rows describe the whole log only")
        let statement = try statement("""
            SELECT id, job_id, terminal_type = 'COMPLETE', terminal_time, terminal_seq, facet_time, facet_seq, processing_id
            FROM lineage_run WHERE id IN (SELECT value FROM json_each(?))
            """)
        var rows: [RunRow] = []
        try statement.forEachRow(Self.idList(ids)) { rows.append(RunRow(statement)) }
        return rows
    }

    /// The runs that read a dataset and the datasets each wrote, in one statement; for each output, whether
    /// any event declared it anonymous or cleared it (only those need `presenceFacts(of:)`).
    func readers(of dataset: Int64) throws -> [(run: RunState, outputs: [(dataset: Int64, mayBeCleared: Bool)])] {
        let statement = try statement(Self.readersSQL)
        var order: [Int64] = []
        var rows: [Int64: RunRow] = [:]
        var outputs: [Int64: [(dataset: Int64, mayBeCleared: Bool)]] = [:]
        try statement.forEachRow(.integer(Int(dataset)), .integer(horizon.knownSize)) {
            let row = RunRow(statement)
            if rows[row.id] == nil {
                order.append(row.id)
                rows[row.id] = row
            }
            if !statement.isNull(8) { outputs[row.id, default: []].append((Int64(statement.int(8)), statement.int(9) != 0)) }
        }
        return try order.compactMap { id in try state(of: rows[id]!).map { ($0, outputs[id] ?? []) } }
    }

    /// The columns of `lineage_run` a walk reads, in the order the statements above select them.
    struct RunRow {
        let id: Int64
        let job: Int64
        /// Its terminal event, and whether that was `COMPLETE` (the statements select the comparison, not the
        /// text, so reading a run makes no string).
        let terminal: (completed: Bool, moment: Moment)?
        /// The moment of its latest facet, and the facet's id in `lineage_processing`.
        let facet: (moment: Moment, id: Int64)?

        init(id: Int64, job: Int64, terminal: (completed: Bool, moment: Moment)?, facet: (moment: Moment, id: Int64)?) {
            self.id = id
            self.job = job
            self.terminal = terminal
            self.facet = facet
        }

        init(_ statement: RawStatement) {
            id = Int64(statement.int(0))
            job = Int64(statement.int(1))
            terminal = statement.isNull(3) ? nil : (statement.int(2) != 0, Moment(time: Int64(statement.int(3)), seq: statement.int(4)))
            facet = statement.isNull(5) ? nil : (Moment(time: Int64(statement.int(5)), seq: statement.int(6)), Int64(statement.int(7)))
        }
    }

    /// A run's state from its row when the horizon shows the row's terminal event and facet; else from
    /// its events.
    private func state(of row: RunRow) throws -> RunState? {
        let terminalSeen = row.terminal.map { horizon.sees(seq: $0.moment.seq, time: $0.moment.time) } ?? true
        let facetSeen = row.facet.map { horizon.sees(seq: $0.moment.seq, time: $0.moment.time) } ?? true
        guard terminalSeen && facetSeen else {
            return try run(row.id).map { RunState(id: $0.id, jobID: $0.jobID, completion: $0.completion, processing: $0.processing) }
        }
        let completion = row.terminal?.completed == true ? row.terminal!.moment : nil
        return RunState(id: row.id, jobID: row.job, completion: completion,
            processing: try processing(run: row.facet?.id, job: row.job))
    }

    /// What a completed run disclosed, if it had a recipient: its outputs, or for `access` its inputs.
    func disclosure(by run: RunState, at completion: Moment) throws -> SubjectTrail.Disclosure? {
        let processing = run.processing
        guard let recipient = processing.recipient, processing.disclosesData,
            let summary = try self.run(run.id)?.summary
        else { return nil }
        let disclosed = try datasets(of: run.id, processing.operation == "access" ? "in" : "out").map(datasetName).sorted()
        return SubjectTrail.Disclosure(recipient: recipient, at: EventStamp(completion), run: summary, datasets: disclosed)
    }

    func jobName(_ id: Int64) throws -> NodeName {
        if let known = jobNames[id] { return known }
        let statement = try statement(Self.jobSQL)
        var name = NodeName(.job, namespace: "", name: "")
        try statement.forEachRow(.integer(Int(id))) { name = NodeName(.job, namespace: statement.text(0) ?? "", name: statement.text(1) ?? "") }
        jobNames[id] = name
        return name
    }

    /// The run as of the horizon, or `nil` when none of its events is visible.
    func run(_ id: Int64) throws -> RunRecord? {
        if let known = runs[id] { return known }
        let record = try loadRun(id)
        runs[id] = record
        return record
    }

    private typealias RunHeader = (uuid: String, job: Int64, namespace: String, name: String)
    private typealias RunEventRow = (seq: Int, type: String, time: Int64, facet: Int64?)

    private func loadRun(_ id: Int64) throws -> RunRecord? {
        let header = try statement(Self.runHeaderSQL)
        var found: RunHeader?
        try header.forEachRow(.integer(Int(id))) {
            found = (header.text(0) ?? "", Int64(header.int(1)), header.text(2) ?? "", header.text(3) ?? "")
        }
        guard let found else { return nil }
        let events = try statement(Self.runEventsSQL)
        var rows: [RunEventRow] = []
        try events.forEachRow(.integer(Int(id))) {
            rows.append((events.int(0), events.text(1) ?? "OTHER", Int64(events.int(2)), events.isNull(3) ? nil : Int64(events.int(3))))
        }
        return try record(id, found, rows)
    }

    private static let runHeadersSQL = """
        SELECT r.id, r.run_uuid, r.job_id, j.namespace, j.name FROM lineage_run r JOIN lineage_job j ON j.id = r.job_id
        WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY r.id
        """
    private static let runsEventsSQL = """
        SELECT run_id, seq, event_type, event_time, processing_id FROM lineage_run_event WHERE run_id IN (SELECT value FROM json_each(?))
        ORDER BY run_id, seq
        """

    /// Reads many runs in two statements instead of two each: a trail reports a run for every dataset.
    func preload(runs ids: some Sequence<Int64>) throws {
        let missing = Set(ids.filter { runs[$0] == nil })
        guard !missing.isEmpty else { return }
        try loadRuns(headers: try statement(Self.runHeadersSQL), events: try statement(Self.runsEventsSQL), Self.idList(missing))
        for id in missing where runs[id] == nil { runs[id] = .some(nil) }
    }

    /// Reads the headers and events the two statements select (with `argument`, if any), both in run id
    /// order, and keeps a record of every run read.
    private func loadRuns(headers header: RawStatement, events statement: RawStatement, _ argument: RawStatement.RawValue?) throws {
        let arguments = argument.map { [$0] } ?? []
        var headers: [(id: Int64, header: RunHeader)] = []
        try header.forEachRow(arguments) {
            headers.append((Int64(header.int(0)), (header.text(1) ?? "", Int64(header.int(2)), header.text(3) ?? "", header.text(4) ?? "")))
        }
        var next = headers.startIndex
        var rows: [RunEventRow] = []
        func finish(upTo run: Int64) throws {
            // Runs before `run` with no events left are finished with what was gathered (runs without events have none).
            while next < headers.endIndex && headers[next].id < run {
                let (id, found) = headers[next]
                runs[id] = try record(id, found, rows)
                rows.removeAll(keepingCapacity: true)
                next += 1
            }
        }
        try statement.forEachRow(arguments) {
            let run = Int64(statement.int(0))
            // The events of the run after the current one: finish every run before it.
            if next < headers.endIndex && headers[next].id < run { try finish(upTo: run) }
            guard next < headers.endIndex && headers[next].id == run else { return }
            rows.append((statement.int(1), statement.text(2) ?? "OTHER", Int64(statement.int(3)), statement.isNull(4) ? nil : Int64(statement.int(4))))
        }
        try finish(upTo: .max)
    }

    /// The run with the datasets it read and wrote, or `nil` when none of its events is visible.
    func overview(_ id: Int64) throws -> RunOverview? {
        guard let run = try run(id) else { return nil }
        let inputs = try named(try datasets(of: id, "in")), outputs = try named(try datasets(of: id, "out"))
        return RunOverview(summary: run.summary, inputs: inputs.map(\.name), outputs: outputs.map(\.name), inputIDs: inputs.map(\.id),
            outputIDs: outputs.map(\.id))
    }

    /// Datasets with their names, in name order.
    private func named(_ ids: [Int64]) throws -> [(id: Int64, name: NodeName)] {
        try ids.map { ($0, try datasetName($0)) }.sorted { $0.name < $1.name }
    }

    /// A run as of the horizon from its events: the latest visible terminal event decides its state, the
    /// latest visible facet its processing.
    private func record(_ id: Int64, _ header: RunHeader, _ rows: [RunEventRow]) throws -> RunRecord? {
        var visible: [(moment: Moment, type: String)] = []
        var latestFacet: (moment: Moment, id: Int64)?
        for row in rows where horizon.sees(seq: row.seq, time: row.time) {
            let moment = Moment(time: row.time, seq: row.seq)
            visible.append((moment, row.type))
            if let facet = row.facet, latestFacet.map({ $0.moment < moment }) ?? true { latestFacet = (moment, facet) }
        }
        guard !visible.isEmpty else { return nil }
        visible.sort { $0.moment < $1.moment }
        let terminal = visible.last { ["COMPLETE", "FAIL", "ABORT"].contains($0.type) }
        let state = terminal?.type ?? visible.last!.type
        let completed = terminal?.type == "COMPLETE" ? terminal!.moment : nil
        let processing = try self.processing(run: latestFacet?.id, job: header.job)
        let summary = RunSummary(
            runID: header.uuid, job: NodeName(.job, namespace: header.namespace, name: header.name), jobID: header.job, state: state,
            completed: completed.map(EventStamp.init), started: EventStamp(visible[0].moment), processing: processing,
            events: visible.map(\.moment.seq).sorted())
        return RunRecord(id: id, jobID: header.job, completion: completed, summary: summary)
    }

    private static let namesSQL = """
        SELECT id, namespace, name FROM lineage_dataset WHERE id IN (SELECT value FROM json_each(?))
        """

    /// Reads many dataset names in one statement.
    func preload(datasetNames ids: some Sequence<Int64>) throws {
        let missing = Set(ids.filter { names[$0] == nil })
        guard !missing.isEmpty else { return }
        let statement = try statement(Self.namesSQL)
        try statement.forEachRow(Self.idList(missing)) {
            names[Int64(statement.int(0))] = NodeName(.dataset, namespace: statement.text(1) ?? "", name: statement.text(2) ?? "")
        }
    }

    private var processings: [ProcessingKey: Processing] = [:]
    private var parsedFacets: [Int64: JSONValue?] = [:]

    /// A run's processing is its facet laid over its job's defaults: runs that sent the same facet and
    /// whose jobs have the same defaults (most often none) share one value.
    private struct ProcessingKey: Hashable {
        /// The facet's id in `lineage_processing`, which keeps each distinct facet once.
        let facet: Int64?
        /// The job, when any job of the log carries defaults; else none of them does.
        let job: Int64?
    }


    /// Whether any visible event gave a job defaults; when none did, no run needs its job's looked up.
    private lazy var anyJobDefaults: Bool = {
        let found = try? Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM lineage_job_event WHERE seq < ?)", arguments: [horizon.knownSize])
        return found ?? true
    }()

    /// The run's facet (by its id) over its job's defaults; runs of a job usually send the same facet, parsed once.
    private func processing(run facet: Int64?, job: Int64) throws -> Processing {
        let key = ProcessingKey(facet: facet, job: anyJobDefaults ? job : nil)
        if let known = processings[key] { return known }
        var parsed: JSONValue?
        if let facet {
            if let known = parsedFacets[facet] { parsed = known } else {
                install(facets: try facetTexts([facet]))
                parsed = parsedFacets[facet] ?? nil
            }
        }
        let value = Processing(run: parsed, job: anyJobDefaults ? try defaults(ofJob: job) : nil)
        processings[key] = value
        return value
    }

    /// The texts of facets by id, as stored (`lineage_processing`).
    private func facetTexts(_ ids: some Collection<Int64>) throws -> [(id: Int64, text: String?)] {
        guard !ids.isEmpty else { return [] }
        let statement = try statement("SELECT id, facet FROM lineage_processing WHERE id IN (SELECT value FROM json_each(?))")
        var texts: [(id: Int64, text: String?)] = []
        try statement.forEachRow(Self.idList(ids)) { texts.append((Int64(statement.int(0)), statement.text(1))) }
        return texts
    }

    private func install(facets: [(id: Int64, text: String?)]) {
        for (id, text) in facets { parsedFacets[id] = .some(text.flatMap { try? JSONParser.parse($0) }) }
    }

    /// Reads the defaults of the jobs of many runs in one statement (one scan where the job index is not
    /// built yet, during a fill from empty).
    private func preload(jobDefaultsOfRuns runs: Set<Int64>) throws {
        guard anyJobDefaults else { return }
        var jobs: [Int64] = []
        let ofRuns = try statement("SELECT DISTINCT job_id FROM lineage_run WHERE id IN (SELECT value FROM json_each(?))")
        try ofRuns.forEachRow(Self.idList(runs)) { jobs.append(Int64(ofRuns.int(0))) }
        try loadDefaults(ofJobs: jobs.filter { jobDefaults[$0] == nil })
    }

    /// The job's latest visible `custody_processing` facet: defaults for its runs.
    private func defaults(ofJob job: Int64) throws -> JSONValue? {
        if jobDefaults[job] == nil { try loadDefaults(ofJobs: [job]) }
        return jobDefaults[job] ?? nil
    }

    private static let jobEventsSQL = """
        SELECT e.job_id, e.seq, e.event_time, p.facet FROM lineage_job_event e JOIN lineage_processing p ON p.id = e.processing_id
        WHERE e.job_id IN (SELECT value FROM json_each(?))
        """

    private func loadDefaults(ofJobs jobs: [Int64]) throws {
        install(defaultsOf: jobs, try jobEvents(jobs))
    }

    /// A job event's facet, as `jobEventsSQL` selects it.
    fileprivate typealias JobEventRow = (job: Int64, moment: Moment, facet: String)

    /// The job events of `jobs` the horizon shows.
    private func jobEvents(_ jobs: [Int64]) throws -> [JobEventRow] {
        guard !jobs.isEmpty else { return [] }
        var rows: [JobEventRow] = []
        let events = try statement(Self.jobEventsSQL)
        try events.forEachRow(Self.idList(jobs)) {
            let seq = events.int(1), time = Int64(events.int(2))
            guard horizon.sees(seq: seq, time: time) else { return }
            rows.append((Int64(events.int(0)), Moment(time: time, seq: seq), events.text(3) ?? ""))
        }
        return rows
    }

    /// Each job's defaults: the facet of its latest event among `events`.
    private func install(defaultsOf jobs: [Int64], _ events: [JobEventRow]) {
        var latest: [Int64: (Moment, String)] = [:]
        for event in events where latest[event.job].map({ $0.0 < event.moment }) ?? true { latest[event.job] = (event.moment, event.facet) }
        for job in jobs { jobDefaults[job] = .some(latest[job].flatMap { try? JSONParser.parse($0.1) }) }
    }

    // MARK: datasets

    private static let factColumns = """
        dataset_id, seq, role, run_id, event_time, categories, fields, classifications, subject_types, retention, location, anonymous, lifecycle
        """
    private static let factsSQL = "SELECT \(factColumns) FROM lineage_dataset_fact WHERE dataset_id = ?"
    private static let presenceSQL = """
        SELECT \(factColumns) FROM lineage_dataset_fact
        WHERE dataset_id = ? AND (location IS NOT NULL OR anonymous IS NOT NULL OR lifecycle IS NOT NULL)
        """
    private static let presencesSQL = """
        SELECT \(factColumns) FROM lineage_dataset_fact
        WHERE dataset_id IN (SELECT value FROM json_each(?)) AND (location IS NOT NULL OR anonymous IS NOT NULL OR lifecycle IS NOT NULL)
        """

    /// One row of `lineage_dataset_fact`, as `factColumns` selects it.
    struct FactRow {
        let dataset: Int64
        let seq: Int
        let role: String
        let run: Int64?
        let time: Int64
        /// categories, fields, classifications, subject types, retention, location, lifecycle
        let texts: [String?]
        let anonymous: Int?

        init(dataset: Int64, seq: Int, role: String, run: Int64?, time: Int64, categories: String?, fields: String?,
             classifications: String?, subjectTypes: String?, retention: String?, location: String?, lifecycle: String?, anonymous: Int?) {
            self.dataset = dataset
            self.seq = seq
            self.role = role
            self.run = run
            self.time = time
            texts = [categories, fields, classifications, subjectTypes, retention, location, lifecycle]
            self.anonymous = anonymous
        }

        init(_ statement: RawStatement) {
            dataset = Int64(statement.int(0))
            seq = statement.int(1)
            role = statement.text(2) ?? ""
            run = statement.isNull(3) ? nil : Int64(statement.int(3))
            time = Int64(statement.int(4))
            texts = [5, 6, 7, 8, 9, 10, 12].map { statement.text(Int32($0)) }
            anonymous = statement.isNull(11) ? nil : statement.int(11)
        }

        var location: String? { texts[5] }
        var lifecycle: String? { texts[6] }
        var isPresenceFact: Bool { location != nil || anonymous != nil || lifecycle != nil }
    }

    /// What the visible events declared about a dataset. Facts on a run's output count once that run has
    /// completed (a failed write wrote nothing); facts on inputs and DatasetEvents count at their event.
    func state(of dataset: Int64) throws -> DatasetState {
        if let known = states[dataset] { return known }
        let statement = try statement(Self.factsSQL)
        var rows: [FactRow] = []
        try statement.forEachRow(.integer(Int(dataset))) { rows.append(FactRow(statement)) }
        let state = try makeState(rows, presence: try presenceFacts(of: dataset))
        states[dataset] = state
        return state
    }

    private func makeState(_ rows: [FactRow], presence: PresenceFacts) throws -> DatasetState {
        var state = DatasetState(presence: presence)
        for row in rows {
            guard let moment = try effectiveMoment(ofFactAt: row.seq, role: row.role, run: row.run, time: row.time) else { continue }
            state.evidence.append(row.seq)
            let texts = row.texts
            state.categories.formUnion(strings(texts[0]))
            for (column, keys) in columns(texts[1]) { state.fields[column, default: []].formUnion(keys) }
            // Tags count as categories where the pack knows them: kept apart, for the pack to judge when asked.
            for tagged in strings(texts[2]) {
                let parts = tagged.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2 else { continue }
                if parts[0].isEmpty { state.taggedCategories.insert(parts[1]) } else { state.taggedFields[parts[0], default: []].insert(parts[1]) }
            }
            state.subjectTypes.formUnion(strings(texts[3]))
            if let retention = texts[4], state.retention.map({ $0.at < moment }) ?? true { state.retention = (retention, moment) }
        }
        return state
    }

    /// When a dataset fact takes effect: at its event, or for a run's output when the run completed;
    /// `nil` when the horizon hides it or the run never completed.
    func effectiveMoment(seq: Int, role: String, run: Int64?, time: Int64) throws -> (Moment, RunRecord?)? {
        guard let moment = try effectiveMoment(ofFactAt: seq, role: role, run: run, time: time) else { return nil }
        guard role == "out", let run else { return (moment, nil) }
        return (moment, try self.run(run))
    }

    /// `effectiveMoment` without the run's record: a run's completion is read from its row where
    /// `preload(runStates:)` read it.
    private func effectiveMoment(ofFactAt seq: Int, role: String, run: Int64?, time: Int64) throws -> Moment? {
        guard horizon.sees(seq: seq, time: time) else { return nil }
        guard role == "out", let run else { return Moment(time: time, seq: seq) }
        if let state = runStateCache[run] { return state.completion }
        return try self.run(run)?.completion
    }

    private var presences: [Int64: PresenceFacts] = [:]

    /// What following people through a dataset needs of it: whether it is declared anonymous, when it was
    /// cleared, where it is. Lighter than `state(of:)`, which also reads the categories.
    func presenceFacts(of dataset: Int64) throws -> PresenceFacts {
        if let known = presences[dataset] { return known }
        try loadPresence(try statement(Self.presenceSQL), .integer(Int(dataset)), for: [dataset])
        return presences[dataset]!
    }

    /// Reads the presence facts of many datasets in one statement.
    func preload(presenceFacts ids: some Sequence<Int64>) throws {
        let missing = Set(ids.filter { presences[$0] == nil })
        guard !missing.isEmpty else { return }
        try loadPresence(try statement(Self.presencesSQL), Self.idList(missing), for: missing)
    }

    private func loadPresence(_ statement: RawStatement, _ argument: RawStatement.RawValue, for datasets: some Sequence<Int64>) throws {
        var rows: [Int64: [FactRow]] = [:]
        try statement.forEachRow(argument) {
            let row = FactRow(statement)
            rows[row.dataset, default: []].append(row)
        }
        for dataset in datasets { presences[dataset] = try presence(from: rows[dataset] ?? []) }
    }

    private func presence(from rows: [FactRow]) throws -> PresenceFacts {
        var facts = PresenceFacts()
        for row in rows where row.isPresenceFact {
            guard let moment = try effectiveMoment(ofFactAt: row.seq, role: row.role, run: row.run, time: row.time) else { continue }
            if let location = row.location, facts.location.map({ $0.at < moment }) ?? true { facts.location = (location, moment) }
            if let anonymous = row.anonymous, facts.anonymous.map({ $0.at < moment }) ?? true { facts.anonymous = (anonymous != 0, moment) }
            if let lifecycle = row.lifecycle, ["DROP", "TRUNCATE", "OVERWRITE"].contains(lifecycle) {
                facts.clears.append(DatasetState.Clear(at: moment.with(lifecycle == "OVERWRITE" ? .overwrite : .removal), how: lifecycle,
                    run: try row.run.flatMap { try self.run($0)?.summary }))
            }
        }
        facts.clears.sort { $0.at < $1.at }
        return facts
    }

    private static let subjectsSQL = "SELECT dataset_id, token, seq, kind, run_id, event_time FROM lineage_subject WHERE dataset_id = ? AND kind IN ('w', 'e')"
    private var subjects: [Int64: [SubjectFact]]?
    /// Those `preload(subjectFactsOf:)` read, each list complete for its dataset.
    private var loadedSubjects: [Int64: [SubjectFact]] = [:]

    /// The people events wrote into (`w`) or erased from (`e`) a dataset, whatever the horizon.
    func subjectFacts(of dataset: Int64) throws -> [SubjectFact] {
        if let subjects { return subjects[dataset] ?? [] }
        if let known = loadedSubjects[dataset] { return known }
        let statement = try statement(Self.subjectsSQL)
        var facts: [SubjectFact] = []
        try statement.forEachRow(.integer(Int(dataset))) { facts.append(SubjectFact(statement)) }
        return facts
    }

    /// A column of a run's output that column lineage says came from a column of one of its inputs.
    struct ColumnMapping {
        let run: Int64
        let outField: String
        let input: Int64
        let inField: String
        /// The transformation hid the input's values (Art. 25 masking): no category flows.
        let masking: Bool
    }

    /// The column lineage into the datasets `filter` picks (a `WHERE` clause, or nothing for all of them).
    static func columnsSQL(_ filter: String) -> String {
        "SELECT out_dataset, run_id, out_field, in_dataset, in_field, masking, seq FROM lineage_column \(filter)"
    }
    private var columnMappings: [Int64: [ColumnMapping]]?
    private var loadedColumnMappings: [Int64: [ColumnMapping]] = [:]

    /// The column lineage into a dataset that the horizon's events gave.
    func columnLineage(into dataset: Int64) throws -> [ColumnMapping] {
        if let columnMappings { return columnMappings[dataset] ?? [] }
        if let known = loadedColumnMappings[dataset] { return known }
        var found: [ColumnMapping] = []
        try readColumnLineage(try statement(Self.columnsSQL("WHERE out_dataset = ?")), .integer(Int(dataset))) { found.append($1) }
        return found
    }

    private func readColumnLineage(_ statement: RawStatement, _ argument: RawStatement.RawValue?, _ each: (Int64, ColumnMapping) -> Void) throws {
        try statement.forEachRow(argument.map { [$0] } ?? []) {
            guard statement.int(6) < horizon.knownSize else { return }
            each(Int64(statement.int(0)), ColumnMapping(run: Int64(statement.int(1)), outField: statement.text(2) ?? "",
                input: Int64(statement.int(3)), inField: statement.text(4) ?? "", masking: statement.int(5) != 0))
        }
    }

    // MARK: an upstream closure

    private struct LoadedEdge: Hashable {
        let id: Int64
        /// The id is a run's (the datasets it read or wrote), else a dataset's (the runs that read or wrote it).
        let ofRun: Bool
        let output: Bool

        /// One word hashed rather than three fields: a pass looks edges up by the hundred thousand.
        func hash(into hasher: inout Hasher) {
            hasher.combine(id &<< 2 | (ofRun ? 2 : 0) | (output ? 1 : 0))
        }
    }

    /// Edges read by `preload(upstreamOf:)`, each list complete for its run or dataset.
    private var loadedEdges: [LoadedEdge: [Int64]] = [:]

    private static let upstreamSQL = """
        WITH RECURSIVE up(id) AS (
            SELECT value FROM json_each(?1)
            UNION
            SELECT i.dataset_id FROM up
            JOIN lineage_io o ON o.dataset_id = up.id AND o.direction = 'out' AND o.seq < ?2
            JOIN lineage_io i ON i.run_id = o.run_id AND i.direction = 'in' AND i.seq < ?2)
        SELECT id FROM up
        """

    /// Reads, in a few statements, what working out the categories of `roots` needs of their upstream
    /// closure (every dataset a writer of theirs read, and so on): names, declared facts, the runs that
    /// wrote each of those datasets, those runs' datasets, and the column lineage into them. A deep
    /// dataset has thousands of datasets upstream; asked one by one they cost a statement or five each.
    func preload(upstreamOf roots: some Sequence<Int64>) throws {
        guard edges == nil else { return }
        try preload(datasets: try upstreamClosure(of: roots))
    }

    /// `roots` and every dataset upstream of them: the inputs of the runs that wrote them, and so on.
    private func upstreamClosure(of roots: some Sequence<Int64>) throws -> [Int64] {
        var closure: [Int64] = []
        let upstream = try statement(Self.upstreamSQL)
        try upstream.forEachRow(Self.idList(roots), .integer(horizon.knownSize)) { closure.append(Int64(upstream.int(0))) }
        return closure
    }

    /// A list of ids as a JSON array, bound to a statement that reads it with `json_each`.
    static func idList(_ ids: some Sequence<some BinaryInteger>) -> RawStatement.RawValue {
        .text("[" + ids.map { String($0) }.joined(separator: ",") + "]")
    }

    /// The runs that wrote the datasets of a list (`?1`, `idList`), as far as the horizon sees (`?2`).
    static let writersSQL = """
        SELECT run_id, dataset_id FROM lineage_io WHERE dataset_id IN (SELECT value FROM json_each(?1)) AND direction = 'out' AND seq < ?2
        """

    /// Reads, in a few statements, what working out the categories of `closure` needs of each of its
    /// datasets (see `preload(upstreamOf:)`), without going further upstream.
    ///
    /// - Parameter forProfiles: read what profiles show too: each run's events and summary, and the datasets'
    ///   names. Without, only what working out categories needs: each run's state, from its row; a name
    ///   asked for anyway is read then.
    func preload(datasets closure: [Int64], forProfiles: Bool = true) throws {
        guard edges == nil else { return }
        let rows = try readRegion(closure, runStates: !forProfiles)
        if forProfiles {
            try preload(jobDefaultsOfRuns: rows.runs)
            try preload(runs: rows.runs)
            try preload(datasetNames: closure)
        }
        try install(rows)
        if forProfiles { resolveLocations(of: closure) }
    }

    /// What working out the categories of a list of datasets needs of the tables, read but not yet made
    /// into the context's values: `readRegion` reads it on the connection's thread, and `install` makes it
    /// up without reading, so on any thread. The lineage writer reads on its connection and leaves the rest
    /// to another core.
    struct RegionRows {
        let closure: [Int64]
        /// The runs that wrote a dataset of the closure, and all their edges.
        fileprivate(set) var runs: Set<Int64> = []
        fileprivate var writers: [(run: Int64, dataset: Int64)] = []
        fileprivate var edges: [(run: Int64, output: Bool, dataset: Int64)] = []
        /// With run states: the runs' rows, their jobs' events, and the facets they name not parsed yet.
        fileprivate var runRows: [RunRow] = []
        fileprivate var jobs: [Int64] = []
        fileprivate var jobEvents: [JobEventRow] = []
        fileprivate var facets: [(id: Int64, text: String?)] = []
        fileprivate var facts: [FactRow] = []
        fileprivate var columns: [(dataset: Int64, mapping: ColumnMapping)] = []

        /// The datasets outside the closure that the runs writing it read.
        var inputsOutside: Set<Int64> {
            let inside = Set(closure)
            return Set(edges.lazy.filter { !$0.output && !inside.contains($0.dataset) }.map(\.dataset))
        }
    }

    /// Reads what `install` makes of `closure` (see `preload(datasets:)`); with `runStates`, each writer's
    /// state from its row, with its job's defaults and its facet. What `written` holds (the rows of the
    /// datasets and runs the writer inserted since its last pass) is taken from there, the rest read.
    func readRegion(_ closure: [Int64], runStates: Bool, written: PassJournal? = nil) throws -> RegionRows {
        var rows = RegionRows(closure: closure)
        let heldDatasets = Set(closure.filter { written?.holdsDataset($0) ?? false })
        let datasetsToRead = heldDatasets.isEmpty ? closure : closure.filter { !heldDatasets.contains($0) }
        let ids = Self.idList(datasetsToRead)
        // The writers of each dataset (not its readers: popular sources are read by tens of thousands of runs).
        if !datasetsToRead.isEmpty {
            let byDataset = try statement(Self.writersSQL)
            try byDataset.forEachRow(ids, .integer(horizon.knownSize)) {
                let run = Int64(byDataset.int(0))
                rows.writers.append((run, Int64(byDataset.int(1))))
                rows.runs.insert(run)
            }
        }
        if let written, !heldDatasets.isEmpty {
            for edge in written.uniqueEdges(where: { $0.output && heldDatasets.contains($0.dataset) }) {
                rows.writers.append((edge.run, edge.dataset))
                rows.runs.insert(edge.run)
            }
        }
        let heldRuns = rows.runs.filter { written?.holdsRun($0) ?? false }
        let runsToRead = heldRuns.isEmpty ? rows.runs : rows.runs.subtracting(heldRuns)
        if !runsToRead.isEmpty {
            let byRun = try statement("""
                SELECT run_id, direction = 'out', dataset_id FROM lineage_io WHERE run_id IN (SELECT value FROM json_each(?1)) AND seq < ?2
                ORDER BY run_id, direction, dataset_id
                """)
            try byRun.forEachRow(Self.idList(runsToRead), .integer(horizon.knownSize)) {
                rows.edges.append((Int64(byRun.int(0)), byRun.int(1) != 0, Int64(byRun.int(2))))
            }
        }
        if let written, !heldRuns.isEmpty { rows.edges += written.uniqueEdges { heldRuns.contains($0.run) } }
        if runStates {
            rows.runRows = runsToRead.isEmpty ? [] : try runRows(runsToRead)
            if let written { rows.runRows += heldRuns.compactMap { written.runs[$0] } }
            if anyJobDefaults {
                rows.jobs = Set(rows.runRows.map(\.job)).filter { jobDefaults[$0] == nil }.sorted()
                rows.jobEvents = try jobEvents(rows.jobs)
            }
            rows.facets = try facetTexts(Set(rows.runRows.compactMap(\.facet?.id)).filter { parsedFacets[$0] == nil })
        }
        if !datasetsToRead.isEmpty {
            let factRows = try statement("SELECT \(Self.factColumns) FROM lineage_dataset_fact WHERE dataset_id IN (SELECT value FROM json_each(?))")
            try factRows.forEachRow(ids) { rows.facts.append(FactRow(factRows)) }
            try readColumnLineage(try statement(Self.columnsSQL("WHERE out_dataset IN (SELECT value FROM json_each(?))")), ids) {
                rows.columns.append(($0, $1))
            }
        }
        if let written, !heldDatasets.isEmpty {
            // Facts in the order of their key (the writer inserts them so: by event, inputs before outputs, by position).
            rows.facts += written.facts.filter { heldDatasets.contains($0.dataset) }
            // Column lineage in the order of the statement's index: by run, then by key.
            rows.columns += written.columns.filter { heldDatasets.contains($0.dataset) }
                .sorted(by: PassJournal.ColumnRow.inIndexOrder)
                .map { ($0.dataset, ColumnMapping(run: $0.run, outField: $0.outField, input: $0.input, inField: $0.inField, masking: $0.masking)) }
        }
        return rows
    }

    /// Makes the context's values of what `readRegion` read: the closure's edges, its writers' states, its
    /// datasets' states and presence facts and column lineage. Reads nothing that `readRegion` read (with
    /// `forbidReads`, whatever else it would need throws `ReadForbidden`).
    func install(_ rows: RegionRows) throws {
        // Each of the context's tables is filled as a local copy and put back before anything that may read it
        // runs: a class's stored dictionary changed in place is checked for overlapping access at every change,
        // and a pass makes hundreds of thousands.
        var loadedEdges = self.loadedEdges
        self.loadedEdges = [:]
        var touching: [LoadedEdge: [Int64]] = [:]
        touching.reserveCapacity(rows.closure.count)
        for dataset in rows.closure { touching[LoadedEdge(id: dataset, ofRun: false, output: true)] = [] }
        for (run, dataset) in rows.writers { touching[LoadedEdge(id: dataset, ofRun: false, output: true), default: []].append(run) }
        // Each dataset's runs in run order, as the per-dataset statement lists them.
        loadedEdges.reserveCapacity(loadedEdges.count + touching.count + 2 * rows.runs.count)
        for (key, list) in touching { loadedEdges[key] = list.count > 1 ? list.sorted() : list }
        // Each run's datasets, read and written, gathered from its edges, which come run by run (see `readRegion`;
        // put so if not) and in the order the per-run statement lists them.
        var edges = rows.edges
        if zip(edges, edges.dropFirst()).contains(where: { $0.run > $1.run }) {
            edges = edges.enumerated().sorted { ($0.element.run, $0.offset) < ($1.element.run, $1.offset) }.map(\.element)
        }
        var gathered = 0, index = edges.startIndex
        while index < edges.endIndex {
            let run = edges[index].run
            var inputs: [Int64] = [], outputs: [Int64] = []
            while index < edges.endIndex, edges[index].run == run {
                if edges[index].output { outputs.append(edges[index].dataset) } else { inputs.append(edges[index].dataset) }
                index += 1
            }
            loadedEdges[LoadedEdge(id: run, ofRun: true, output: false)] = inputs
            loadedEdges[LoadedEdge(id: run, ofRun: true, output: true)] = outputs
            gathered += 1
        }
        if gathered < rows.runs.count {
            let withEdges = Set(edges.lazy.map(\.run))
            for run in rows.runs where !withEdges.contains(run) {
                loadedEdges[LoadedEdge(id: run, ofRun: true, output: true)] = []
                loadedEdges[LoadedEdge(id: run, ofRun: true, output: false)] = []
            }
        }
        self.loadedEdges = loadedEdges

        install(defaultsOf: rows.jobs, rows.jobEvents)
        install(facets: rows.facets)
        for row in rows.runRows { if let state = try state(of: row) { runStateCache[row.id] = state } }

        var facts: [Int64: [FactRow]] = [:]
        facts.reserveCapacity(rows.closure.count)
        for row in rows.facts { facts[row.dataset, default: []].append(row) }
        // Working a dataset's state out reads runs, never other datasets' states.
        var states = self.states, presences = self.presences
        self.states = [:]
        self.presences = [:]
        defer {
            self.states = states
            self.presences = presences
        }
        states.reserveCapacity(states.count + rows.closure.count)
        presences.reserveCapacity(presences.count + rows.closure.count)
        // A pass's view is new: nothing to look for in it.
        let fresh = states.isEmpty && presences.isEmpty
        for id in rows.closure where fresh || states[id] == nil {
            let facts = facts[id] ?? []
            let presence = try (fresh ? nil : presences[id]) ?? presence(from: facts)
            presences[id] = presence
            states[id] = try makeState(facts, presence: presence)
        }
        var loadedColumnMappings = self.loadedColumnMappings
        self.loadedColumnMappings = [:]
        loadedColumnMappings.reserveCapacity(loadedColumnMappings.count + rows.closure.count)
        for id in rows.closure { loadedColumnMappings[id] = [] }
        for (dataset, mapping) in rows.columns { loadedColumnMappings[dataset, default: []].append(mapping) }
        self.loadedColumnMappings = loadedColumnMappings
    }

    // MARK: whole store

    /// Every edge between runs and datasets the horizon shows, once `preloadRuns()` read them: lists
    /// indexed by id, since run and dataset ids count up from 1.
    private struct Edges {
        /// By run id: the datasets it read, and wrote.
        var inputs: [[Int64]]
        var outputs: [[Int64]]
        /// By dataset id: the runs that read it, and wrote it.
        var readers: [[Int64]]
        var writers: [[Int64]]

        init(runs: Int, datasets: Int) {
            inputs = Array(repeating: [], count: runs + 1)
            outputs = inputs
            readers = Array(repeating: [], count: datasets + 1)
            writers = readers
        }

        static func list(_ lists: [[Int64]], _ id: Int64) -> [Int64] {
            lists.indices.contains(Int(id)) ? lists[Int(id)] : []
        }
    }

    private var edges: Edges?

    private static let allRunHeadersSQL = """
        SELECT r.id, r.run_uuid, r.job_id, j.namespace, j.name FROM lineage_run r JOIN lineage_job j ON j.id = r.job_id ORDER BY r.id
        """
    private static let allRunEventsSQL = "SELECT run_id, seq, event_type, event_time, processing_id FROM lineage_run_event ORDER BY run_id, seq"

    /// Reads every run, dataset name and edge in one scan of each table, for questions about the whole
    /// store: asking run by run would run hundreds of thousands of statements.
    func preloadRuns() throws {
        guard edges == nil else { return }
        let count = try statement("SELECT (SELECT count(*) FROM lineage_dataset), (SELECT count(*) FROM lineage_run), "
            + "(SELECT coalesce(max(id), 0) FROM lineage_dataset), (SELECT coalesce(max(id), 0) FROM lineage_run)")
        var sizes = (datasets: 0, runs: 0, lastDataset: 0, lastRun: 0)
        try count.forEachRow([]) { sizes = (count.int(0), count.int(1), count.int(2), count.int(3)) }
        self.names.reserveCapacity(sizes.datasets)
        runs.reserveCapacity(sizes.runs)

        let names = try statement("SELECT id, namespace, name FROM lineage_dataset")
        try names.forEachRow([]) {
            self.names[Int64(names.int(0))] = NodeName(.dataset, namespace: names.text(1) ?? "", name: names.text(2) ?? "")
        }
        try loadRuns(headers: try statement(Self.allRunHeadersSQL), events: try statement(Self.allRunEventsSQL), nil)

        var edges = Edges(runs: sizes.lastRun, datasets: sizes.lastDataset)
        // In the table's order, (run, direction, dataset): each run's datasets in id order, and each dataset's
        // runs in run order, as the per-id statements list them.
        // The direction as a flag: reading it as text made a string per edge.
        let io = try statement("""
            SELECT run_id, direction = 'out', dataset_id FROM lineage_io WHERE seq < ? ORDER BY run_id, direction, dataset_id
            """)
        try io.forEachRow(.integer(horizon.knownSize)) {
            let run = io.int(0), dataset = io.int(2)
            if io.int(1) != 0 {
                edges.outputs[run].append(Int64(dataset))
                edges.writers[dataset].append(Int64(run))
            } else {
                edges.inputs[run].append(Int64(dataset))
                edges.readers[dataset].append(Int64(run))
            }
        }
        self.edges = edges
    }

    /// Reads, besides what `preloadRuns()` reads, every dataset fact and named person in one scan of each table.
    func preloadDatasets() throws {
        guard subjects == nil else { return }
        try preloadRuns()
        var facts: [Int64: [FactRow]] = [:]
        facts.reserveCapacity(names.count)
        let factRows = try statement("SELECT \(Self.factColumns) FROM lineage_dataset_fact")
        try factRows.forEachRow([]) {
            let row = FactRow(factRows)
            facts[row.dataset, default: []].append(row)
        }
        states.reserveCapacity(names.count)
        presences.reserveCapacity(names.count)
        for id in names.keys where states[id] == nil {
            let rows = facts[id] ?? []
            let presence = try presences[id] ?? presence(from: rows)
            presences[id] = presence
            states[id] = try makeState(rows, presence: presence)
        }
        resolveLocations(of: presences.keys)

        var columns: [Int64: [ColumnMapping]] = [:]
        try readColumnLineage(try statement(Self.columnsSQL("")), nil) { columns[$0, default: []].append($1) }
        columnMappings = columns

        var subjects: [Int64: [SubjectFact]] = [:]
        let subjectRows = try statement("SELECT dataset_id, token, seq, kind, run_id, event_time FROM lineage_subject WHERE kind IN ('w', 'e')")
        try subjectRows.forEachRow([]) {
            let fact = SubjectFact(subjectRows)
            subjects[fact.dataset, default: []].append(fact)
        }
        self.subjects = subjects
    }

    private var countries: [String: CountryCode?] = [:]

    /// Resolves with the pack the locations the datasets' loaded presence facts declare: datasets share a few,
    /// and once resolved they are only looked up, so threads may ask for them at once (`whileReadsForbidden`).
    private func resolveLocations(of datasets: some Sequence<Int64>) {
        for dataset in datasets {
            if let text = presences[dataset]?.location?.text, countries[text] == nil { countries[text] = country(of: text) }
        }
    }

    private func country(of location: String) -> CountryCode? {
        StorageLocation(location).flatMap(pack.jurisdictions.country(of:))
    }

    /// The dataset's location, resolved with the pack.
    func location(of dataset: Int64) throws -> DatasetLocation {
        let jurisdictions = pack.jurisdictions
        if let (text, moment) = try presenceFacts(of: dataset).location {
            // Datasets share a few locations: each is resolved once.
            let country: CountryCode?
            if let known = countries[text] { country = known } else {
                guard !readsForbidden else { throw ReadForbidden() }
                country = self.country(of: text)
                countries[text] = country
            }
            return DatasetLocation(text: text, origin: .declared, country: country, inEEA: country.map(jurisdictions.isInEEA),
                declaredBy: EventStamp(moment))
        }
        let name = try datasetName(dataset)
        if let implied = jurisdictions.location(forNamespace: name.namespace) {
            let country = jurisdictions.country(of: implied)
            return DatasetLocation(text: implied.description, origin: .namespace, country: country,
                inEEA: country.map(jurisdictions.isInEEA), declaredBy: nil)
        }
        return DatasetLocation(text: nil, origin: .unknown, country: nil, inEEA: nil, declaredBy: nil)
    }

    private var parsedLists: [String: [String]] = [:]
    private var parsedColumns: [String: [(String, [String])]] = [:]

    /// A JSON list of text; most datasets repeat a few lists, each parsed once.
    private func strings(_ json: String?) -> [String] {
        guard let json else { return [] }
        if let known = parsedLists[json] { return known }
        var list: [String] = []
        if case .array(let values)? = try? JSONParser.parse(json) { list = values.compactMap(\.stringValue) }
        parsedLists[json] = list
        return list
    }

    /// A JSON object of column name to a list of category keys.
    private func columns(_ json: String?) -> [(String, [String])] {
        guard let json else { return [] }
        if let known = parsedColumns[json] { return known }
        var found: [(String, [String])] = []
        if case .object(let columns)? = try? JSONParser.parse(json) {
            for (column, keys) in columns.members {
                guard case .array(let values) = keys else { continue }
                found.append((column, values.compactMap(\.stringValue)))
            }
        }
        parsedColumns[json] = found
        return found
    }
}

/// What a walk through the graph needs of a run.
struct RunState {
    let id: Int64
    let jobID: Int64
    /// When it completed, if it did by the horizon.
    let completion: Moment?
    let processing: Processing
}

/// A run with what the queries need beyond its public summary.
/// A class, so the caches and whole-store lists that hand runs around copy one reference, not a summary's fields.
final class RunRecord {
    let id: Int64
    let jobID: Int64
    /// When it completed (the arrival phase of its completing event), if it did.
    let completion: Moment?
    let summary: RunSummary

    var processing: Processing { summary.processing }

    init(id: Int64, jobID: Int64, completion: Moment?, summary: RunSummary) {
        self.id = id
        self.jobID = jobID
        self.completion = completion
        self.summary = summary
    }
}

/// A person an event wrote into (`w`) or erased from (`e`) a dataset.
struct SubjectFact {
    let dataset: Int64
    let token: String
    let seq: Int
    let kind: String
    let run: Int64?
    let time: Int64

    init(_ statement: RawStatement) {
        dataset = Int64(statement.int(0))
        token = statement.text(1) ?? ""
        seq = statement.int(2)
        kind = statement.text(3) ?? ""
        run = statement.isNull(4) ? nil : Int64(statement.int(4))
        time = Int64(statement.int(5))
    }
}

/// The facts about a dataset that decide who can be in it.
struct PresenceFacts {
    var anonymous: (flag: Bool, at: Moment)?
    /// DROP, TRUNCATE and OVERWRITE, in order: each ends everyone's presence.
    var clears: [DatasetState.Clear] = []
    var location: (text: String, at: Moment)?

    var isDeclaredAnonymous: Bool { anonymous?.flag == true }
}

/// The declared facts of one dataset at a horizon.
struct DatasetState {
    struct Clear {
        let at: Moment
        let how: String
        let run: RunSummary?
    }

    /// Anonymity, clears and location.
    let presence: PresenceFacts
    var categories: Set<String> = []
    var fields: [String: Set<String>] = [:]
    /// Classification tags, on the whole dataset and per column: categories where the pack knows them.
    var taggedCategories: Set<String> = []
    var taggedFields: [String: Set<String>] = [:]
    var subjectTypes: Set<String> = []
    var retention: (text: String, at: Moment)?
    /// The events whose category, type and retention facts are counted.
    var evidence: [Int] = []

    var isDeclaredAnonymous: Bool { presence.isDeclaredAnonymous }
    var clears: [Clear] { presence.clears }
}
