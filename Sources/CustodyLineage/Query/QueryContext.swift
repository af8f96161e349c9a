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
    let pack: PolicyPack
    private var runs: [Int64: RunRecord?] = [:]
    private var jobDefaults: [Int64: JSONValue?] = [:]
    private var names: [Int64: NodeName] = [:]
    private var states: [Int64: DatasetState] = [:]

    init(db: Database, horizon: Horizon, pack: PolicyPack) throws {
        self.db = db
        self.horizon = try ResolvedHorizon(horizon, db: db)
        self.pack = pack
    }

    // MARK: graph

    private static let nameSQL = "SELECT namespace, name FROM lineage_dataset WHERE id = ?"
    private static let touchingSQL = "SELECT run_id FROM lineage_io WHERE dataset_id = ? AND direction = ? AND seq < ?"
    private static let ofRunSQL = "SELECT dataset_id FROM lineage_io WHERE run_id = ? AND direction = ? AND seq < ?"
    private static let runHeaderSQL = """
        SELECT r.run_uuid, r.job_id, j.namespace, j.name FROM lineage_run r JOIN lineage_job j ON j.id = r.job_id WHERE r.id = ?
        """
    private static let runEventsSQL = "SELECT e.seq, e.event_type, e.event_time, p.facet FROM lineage_run_event e LEFT JOIN lineage_processing p ON p.id = e.processing_id WHERE e.run_id = ?"
    private static let jobEventsSQL = "SELECT e.seq, e.event_time, p.facet FROM lineage_job_event e JOIN lineage_processing p ON p.id = e.processing_id WHERE e.job_id = ?"
    private static let factsSQL = """
        SELECT seq, role, run_id, event_time, categories, fields, classifications, subject_types, retention
        FROM lineage_dataset_fact WHERE dataset_id = ?
        """

    private var statements: [String: RawStatement] = [:]

    /// The prepared statement for `sql`, from the connection's cache, kept for this query.
    private func statement(_ sql: String) throws -> RawStatement {
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
        try ids(Self.touchingSQL, dataset, direction)
    }

    /// The datasets a run read (`in`) or wrote (`out`).
    func datasets(of run: Int64, _ direction: String) throws -> [Int64] {
        try ids(Self.ofRunSQL, run, direction)
    }

    private func ids(_ sql: String, _ id: Int64, _ direction: String) throws -> [Int64] {
        let statement = try statement(sql)
        var found: [Int64] = []
        try statement.forEachRow(.integer(Int(id)), .text(direction), .integer(horizon.knownSize)) { found.append(Int64(statement.int(0))) }
        return found
    }

    // MARK: runs

    private static let statesSQL = """
        SELECT r.id, r.job_id, r.terminal_type, r.terminal_time, r.terminal_seq, r.facet_time, r.facet_seq, p.facet
        FROM lineage_io io JOIN lineage_run r ON r.id = io.run_id LEFT JOIN lineage_processing p ON p.id = r.processing_id
        WHERE io.dataset_id = ? AND io.direction = ? AND io.seq < ?
        """
    private static let jobSQL = "SELECT namespace, name FROM lineage_job WHERE id = ?"
    private var jobNames: [Int64: NodeName] = [:]

    /// The runs that read (`in`) or wrote (`out`) a dataset, with what a walk needs: one statement for
    /// all of them. A run's latest terminal event and facet are kept on its row; where the horizon hides
    /// them, the run is read event by event instead.
    func runStates(touching dataset: Int64, _ direction: String) throws -> [RunState] {
        let statement = try statement(Self.statesSQL)
        var rows: [RunRow] = []
        try statement.forEachRow(.integer(Int(dataset)), .text(direction), .integer(horizon.knownSize)) { rows.append(RunRow(statement)) }
        return try rows.compactMap(state(of:))
    }

    private static let readersSQL = """
        SELECT r.id, r.job_id, r.terminal_type, r.terminal_time, r.terminal_seq, r.facet_time, r.facet_seq, p.facet,
               o.dataset_id,
               EXISTS (SELECT 1 FROM lineage_dataset_fact f WHERE f.dataset_id = o.dataset_id AND (f.anonymous IS NOT NULL OR f.lifecycle IS NOT NULL))
        FROM lineage_io io JOIN lineage_run r ON r.id = io.run_id LEFT JOIN lineage_processing p ON p.id = r.processing_id
        LEFT JOIN lineage_io o ON o.run_id = r.id AND o.direction = 'out' AND o.seq < ?2
        WHERE io.dataset_id = ?1 AND io.direction = 'in' AND io.seq < ?2
        """

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
    private struct RunRow {
        let id: Int64
        let job: Int64
        let terminal: (type: String, moment: Moment)?
        let facet: (moment: Moment, text: String)?

        init(_ statement: RawStatement) {
            id = Int64(statement.int(0))
            job = Int64(statement.int(1))
            terminal = statement.isNull(3) ? nil : (statement.text(2) ?? "", Moment(time: Int64(statement.int(3)), seq: statement.int(4)))
            facet = statement.isNull(5) ? nil : (Moment(time: Int64(statement.int(5)), seq: statement.int(6)), statement.text(7) ?? "")
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
        let completion = row.terminal?.type == "COMPLETE" ? row.terminal!.moment : nil
        return RunState(id: row.id, jobID: row.job, completion: completion,
            processing: try processing(run: row.facet?.text, job: row.job))
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
    private typealias RunEventRow = (seq: Int, type: String, time: Int64, facet: String?)

    private func loadRun(_ id: Int64) throws -> RunRecord? {
        let header = try statement(Self.runHeaderSQL)
        var found: RunHeader?
        try header.forEachRow(.integer(Int(id))) {
            found = (header.text(0) ?? "", Int64(header.int(1)), header.text(2) ?? "", header.text(3) ?? "")
        }
        guard let found else { return nil }
        let events = try statement(Self.runEventsSQL)
        var rows: [RunEventRow] = []
        try events.forEachRow(.integer(Int(id))) { rows.append((events.int(0), events.text(1) ?? "OTHER", Int64(events.int(2)), events.text(3))) }
        return try record(id, found, rows)
    }

    private static let runHeadersSQL = """
        SELECT r.id, r.run_uuid, r.job_id, j.namespace, j.name FROM lineage_run r JOIN lineage_job j ON j.id = r.job_id
        WHERE r.id IN (SELECT value FROM json_each(?))
        """
    private static let runsEventsSQL = """
        SELECT e.run_id, e.seq, e.event_type, e.event_time, p.facet FROM lineage_run_event e LEFT JOIN lineage_processing p ON p.id = e.processing_id
        WHERE e.run_id IN (SELECT value FROM json_each(?))
        """

    /// Reads many runs in two statements instead of two each: a trail reports a run for every dataset.
    func preload(runs ids: some Sequence<Int64>) throws {
        let missing = Set(ids.filter { runs[$0] == nil })
        guard !missing.isEmpty else { return }
        let list = "[" + missing.map(String.init).joined(separator: ",") + "]"
        var headers: [Int64: RunHeader] = [:]
        let header = try statement(Self.runHeadersSQL)
        try header.forEachRow(.text(list)) {
            headers[Int64(header.int(0))] = (header.text(1) ?? "", Int64(header.int(2)), header.text(3) ?? "", header.text(4) ?? "")
        }
        var events: [Int64: [RunEventRow]] = [:]
        let statement = try statement(Self.runsEventsSQL)
        try statement.forEachRow(.text(list)) {
            events[Int64(statement.int(0)), default: []].append(
                (statement.int(1), statement.text(2) ?? "OTHER", Int64(statement.int(3)), statement.text(4)))
        }
        for id in missing {
            runs[id] = try headers[id].flatMap { try record(id, $0, events[id] ?? []) }
        }
    }

    /// A run as of the horizon from its events: the latest visible terminal event decides its state, the
    /// latest visible facet its processing.
    private func record(_ id: Int64, _ header: RunHeader, _ rows: [RunEventRow]) throws -> RunRecord? {
        var visible: [(moment: Moment, type: String)] = []
        var latestFacet: (moment: Moment, text: String)?
        for row in rows where horizon.sees(seq: row.seq, time: row.time) {
            let moment = Moment(time: row.time, seq: row.seq)
            visible.append((moment, row.type))
            if let text = row.facet, latestFacet.map({ $0.moment < moment }) ?? true { latestFacet = (moment, text) }
        }
        guard !visible.isEmpty else { return nil }
        visible.sort { $0.moment < $1.moment }
        let terminal = visible.last { ["COMPLETE", "FAIL", "ABORT"].contains($0.type) }
        let state = terminal?.type ?? visible.last!.type
        let completed = terminal?.type == "COMPLETE" ? terminal!.moment : nil
        let processing = try self.processing(run: latestFacet?.text, job: header.job)
        let summary = RunSummary(
            runID: header.uuid, job: NodeName(.job, namespace: header.namespace, name: header.name), state: state,
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
        try statement.forEachRow(.text("[" + missing.map(String.init).joined(separator: ",") + "]")) {
            names[Int64(statement.int(0))] = NodeName(.dataset, namespace: statement.text(1) ?? "", name: statement.text(2) ?? "")
        }
    }

    private var processings: [ProcessingKey: Processing] = [:]

    /// A run's processing is its facet laid over its job's defaults: runs that sent the same facet and
    /// whose jobs have the same defaults (most often none) share one value.
    private struct ProcessingKey: Hashable {
        let facet: String?
        /// The job, when any job of the log carries defaults; else none of them does.
        let job: Int64?
    }

    private var facetsByText: [String: JSONValue] = [:]

    /// Whether any visible event gave a job defaults; when none did, no run needs its job's looked up.
    private lazy var anyJobDefaults: Bool = {
        let found = try? Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM lineage_job_event WHERE seq < ?)", arguments: [horizon.knownSize])
        return found ?? true
    }()

    /// The run's facet over its job's defaults; runs of a job usually send the same facet, parsed once.
    private func processing(run facet: String?, job: Int64) throws -> Processing {
        let key = ProcessingKey(facet: facet, job: anyJobDefaults ? job : nil)
        if let known = processings[key] { return known }
        var parsed: JSONValue?
        if let facet {
            parsed = facetsByText[facet] ?? (try? JSONParser.parse(facet))
            if facetsByText.count < 1024 { facetsByText[facet] = parsed }
        }
        let value = Processing(run: parsed, job: anyJobDefaults ? try defaults(ofJob: job) : nil)
        processings[key] = value
        return value
    }

    /// The job's latest visible `custody_processing` facet: defaults for its runs.
    private func defaults(ofJob job: Int64) throws -> JSONValue? {
        if let known = jobDefaults[job] { return known }
        let statement = try statement(Self.jobEventsSQL)
        var latest: (Moment, String)?
        try statement.forEachRow(.integer(Int(job))) {
            let seq = statement.int(0), time = Int64(statement.int(1))
            guard horizon.sees(seq: seq, time: time) else { return }
            let moment = Moment(time: time, seq: seq)
            if latest == nil || latest!.0 < moment { latest = (moment, statement.text(2) ?? "") }
        }
        let value = latest.flatMap { try? JSONParser.parse($0.1) }
        jobDefaults[job] = value
        return value
    }

    // MARK: datasets

    /// What the visible events declared about a dataset. Facts on a run's output count once that run has
    /// completed (a failed write wrote nothing); facts on inputs and DatasetEvents count at their event.
    func state(of dataset: Int64) throws -> DatasetState {
        if let known = states[dataset] { return known }
        var state = DatasetState(presence: try presenceFacts(of: dataset))
        let statement = try statement(Self.factsSQL)
        var rows: [(seq: Int, role: String, run: Int64?, time: Int64, texts: [String?])] = []
        try statement.forEachRow(.integer(Int(dataset))) {
            rows.append((statement.int(0), statement.text(1) ?? "", statement.isNull(2) ? nil : Int64(statement.int(2)),
                         Int64(statement.int(3)), (4...8).map { statement.text(Int32($0)) }))
        }
        for row in rows {
            guard let (moment, _) = try effectiveMoment(seq: row.seq, role: row.role, run: row.run, time: row.time) else { continue }
            state.evidence.append(row.seq)
            let texts = row.texts
            for key in Self.strings(texts[0]) { state.categories.insert(key) }
            if let fields = texts[1], case .object(let columns)? = try? JSONParser.parse(fields) {
                for (column, keys) in columns.members {
                    guard case .array(let values) = keys else { continue }
                    state.fields[column, default: []].formUnion(values.compactMap(\.stringValue))
                }
            }
            for tagged in Self.strings(texts[2]) {
                let parts = tagged.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2, pack.taxonomy.category(parts[1]).isKnown else { continue }
                if parts[0].isEmpty { state.categories.insert(parts[1]) } else { state.fields[parts[0], default: []].insert(parts[1]) }
            }
            state.subjectTypes.formUnion(Self.strings(texts[3]))
            if let retention = texts[4], state.retention.map({ $0.at < moment }) ?? true { state.retention = (retention, moment) }
        }
        states[dataset] = state
        return state
    }

    /// When a dataset fact takes effect: at its event, or for a run's output when the run completed;
    /// `nil` when the horizon hides it or the run never completed.
    func effectiveMoment(seq: Int, role: String, run: Int64?, time: Int64) throws -> (Moment, RunRecord?)? {
        guard horizon.sees(seq: seq, time: time) else { return nil }
        guard role == "out", let run else { return (Moment(time: time, seq: seq), nil) }
        guard let record = try self.run(run), let completion = record.completion else { return nil }
        return (completion, record)
    }

    private static let presenceSQL = """
        SELECT dataset_id, seq, role, run_id, event_time, location, anonymous, lifecycle FROM lineage_dataset_fact
        WHERE dataset_id = ? AND (location IS NOT NULL OR anonymous IS NOT NULL OR lifecycle IS NOT NULL)
        """
    private static let presencesSQL = """
        SELECT dataset_id, seq, role, run_id, event_time, location, anonymous, lifecycle FROM lineage_dataset_fact
        WHERE dataset_id IN (SELECT value FROM json_each(?)) AND (location IS NOT NULL OR anonymous IS NOT NULL OR lifecycle IS NOT NULL)
        """
    private var presences: [Int64: PresenceFacts] = [:]

    private typealias PresenceRow = (seq: Int, role: String, run: Int64?, time: Int64, location: String?, anonymous: Int?, lifecycle: String?)

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
        try loadPresence(try statement(Self.presencesSQL), .text("[" + missing.map(String.init).joined(separator: ",") + "]"), for: missing)
    }

    private func loadPresence(_ statement: RawStatement, _ argument: RawStatement.RawValue, for datasets: some Sequence<Int64>) throws {
        var rows: [Int64: [PresenceRow]] = [:]
        try statement.forEachRow(argument) {
            rows[Int64(statement.int(0)), default: []].append((statement.int(1), statement.text(2) ?? "", statement.isNull(3) ? nil : Int64(statement.int(3)),
                Int64(statement.int(4)), statement.text(5), statement.isNull(6) ? nil : statement.int(6), statement.text(7)))
        }
        for dataset in datasets { presences[dataset] = try presence(from: rows[dataset] ?? []) }
    }

    private func presence(from rows: [PresenceRow]) throws -> PresenceFacts {
        var facts = PresenceFacts()
        for row in rows {
            guard let (moment, run) = try effectiveMoment(seq: row.seq, role: row.role, run: row.run, time: row.time) else { continue }
            if let location = row.location, facts.location.map({ $0.at < moment }) ?? true { facts.location = (location, moment) }
            if let anonymous = row.anonymous, facts.anonymous.map({ $0.at < moment }) ?? true { facts.anonymous = (anonymous != 0, moment) }
            if let lifecycle = row.lifecycle, ["DROP", "TRUNCATE", "OVERWRITE"].contains(lifecycle) {
                facts.clears.append(DatasetState.Clear(at: moment.with(lifecycle == "OVERWRITE" ? .overwrite : .removal), how: lifecycle,
                    run: run?.summary))
            }
        }
        facts.clears.sort { $0.at < $1.at }
        return facts
    }

    /// The dataset's location, resolved with the pack.
    func location(of dataset: Int64) throws -> DatasetLocation {
        let jurisdictions = pack.jurisdictions
        if let (text, moment) = try presenceFacts(of: dataset).location {
            let country = StorageLocation(text).flatMap(jurisdictions.country(of:))
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

    private static func strings(_ json: String?) -> [String] {
        guard let json, case .array(let values)? = try? JSONParser.parse(json) else { return [] }
        return values.compactMap(\.stringValue)
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
struct RunRecord {
    let id: Int64
    let jobID: Int64
    /// When it completed (the arrival phase of its completing event), if it did.
    let completion: Moment?
    let summary: RunSummary

    var processing: Processing { summary.processing }
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
    var subjectTypes: Set<String> = []
    var retention: (text: String, at: Moment)?
    /// The events whose category, type and retention facts are counted.
    var evidence: [Int] = []

    var isDeclaredAnonymous: Bool { presence.isDeclaredAnonymous }
    var clears: [Clear] { presence.clears }
}
