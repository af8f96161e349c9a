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

    func datasetName(_ id: Int64) throws -> NodeName {
        if let known = names[id] { return known }
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT namespace, name FROM lineage_dataset WHERE id = ?"), arguments: [id])
        let name = NodeName(.dataset, namespace: row?[0] ?? "", name: row?[1] ?? "")
        names[id] = name
        return name
    }

    /// Runs that read (`in`) or wrote (`out`) a dataset, as far as the horizon's events say.
    func runs(touching dataset: Int64, _ direction: String) throws -> [Int64] {
        try Int64.fetchAll(db.cachedStatement(sql: "SELECT run_id FROM lineage_io WHERE dataset_id = ? AND direction = ? AND seq < ?"),
            arguments: [dataset, direction, horizon.knownSize])
    }

    /// The datasets a run read (`in`) or wrote (`out`).
    func datasets(of run: Int64, _ direction: String) throws -> [Int64] {
        try Int64.fetchAll(db.cachedStatement(sql: "SELECT dataset_id FROM lineage_io WHERE run_id = ? AND direction = ? AND seq < ?"),
            arguments: [run, direction, horizon.knownSize])
    }

    // MARK: runs

    /// The run as of the horizon, or `nil` when none of its events is visible.
    func run(_ id: Int64) throws -> RunRecord? {
        if let known = runs[id] { return known }
        let record = try loadRun(id)
        runs[id] = record
        return record
    }

    private func loadRun(_ id: Int64) throws -> RunRecord? {
        guard let header = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT r.run_uuid, r.job_id, j.namespace, j.name FROM lineage_run r JOIN lineage_job j ON j.id = r.job_id WHERE r.id = ?
            """), arguments: [id]) else { return nil }
        let events = try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, event_type, event_time, processing FROM lineage_run_event WHERE run_id = ?"),
            arguments: [id])
        var visible: [(moment: Moment, type: String, processing: String?)] = []
        for row in events {
            let seq: Int = row[0], time: Int64 = row[2]
            if horizon.sees(seq: seq, time: time) { visible.append((Moment(time: time, seq: seq), row[1], row[3])) }
        }
        guard !visible.isEmpty else { return nil }
        visible.sort { $0.moment < $1.moment }
        let terminal = visible.last { ["COMPLETE", "FAIL", "ABORT"].contains($0.type) }
        let state = terminal?.type ?? visible.last!.type
        let completed = terminal?.type == "COMPLETE" ? terminal!.moment : nil
        let runFacet = visible.last { $0.processing != nil }?.processing.flatMap { try? JSONParser.parse($0) }
        let jobID: Int64 = header[1]
        let processing = Processing(run: runFacet, job: try defaults(ofJob: jobID))
        let summary = RunSummary(
            runID: header[0], job: NodeName(.job, namespace: header[2], name: header[3]), state: state,
            completed: completed.map(EventStamp.init), started: EventStamp(visible[0].moment), processing: processing,
            events: visible.map(\.moment.seq).sorted())
        return RunRecord(id: id, jobID: jobID, completion: completed, summary: summary)
    }

    /// The job's latest visible `custody_processing` facet: defaults for its runs.
    private func defaults(ofJob job: Int64) throws -> JSONValue? {
        if let known = jobDefaults[job] { return known }
        var latest: (Moment, String)?
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, event_time, processing FROM lineage_job_event WHERE job_id = ?"), arguments: [job]) {
            let seq: Int = row[0], time: Int64 = row[1]
            guard horizon.sees(seq: seq, time: time) else { continue }
            let moment = Moment(time: time, seq: seq)
            if latest == nil || latest!.0 < moment { latest = (moment, row[2]) }
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
        var state = DatasetState()
        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT seq, role, run_id, event_time, categories, fields, classifications, subject_types, location, retention,
                   anonymous, lifecycle
            FROM lineage_dataset_fact WHERE dataset_id = ?
            """), arguments: [dataset]) {
            let seq: Int = row[0], role: String = row[1], time: Int64 = row[3]
            guard horizon.sees(seq: seq, time: time) else { continue }
            var moment = Moment(time: time, seq: seq)
            var run: RunRecord?
            if role == "out", let runID: Int64 = row[2] {
                guard let record = try self.run(runID), let completion = record.completion else { continue }
                run = record
                moment = completion
            }
            state.evidence.append(seq)
            for key in Self.strings(row[4]) { state.categories.insert(key) }
            if let fields: String = row[5], case .object(let columns)? = try? JSONParser.parse(fields) {
                for (column, keys) in columns.members {
                    guard case .array(let values) = keys else { continue }
                    state.fields[column, default: []].formUnion(values.compactMap(\.stringValue))
                }
            }
            for tagged in Self.strings(row[6]) {
                let parts = tagged.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2, pack.taxonomy.category(parts[1]).isKnown else { continue }
                if parts[0].isEmpty { state.categories.insert(parts[1]) } else { state.fields[parts[0], default: []].insert(parts[1]) }
            }
            state.subjectTypes.formUnion(Self.strings(row[7]))
            if let location: String = row[8], state.location.map({ $0.at < moment }) ?? true { state.location = (location, moment) }
            if let retention: String = row[9], state.retention.map({ $0.at < moment }) ?? true { state.retention = (retention, moment) }
            if let anonymous: Int = row[10], state.anonymous.map({ $0.at < moment }) ?? true { state.anonymous = (anonymous != 0, moment) }
            if let lifecycle: String = row[11], ["DROP", "TRUNCATE", "OVERWRITE"].contains(lifecycle) {
                state.clears.append(DatasetState.Clear(at: moment.with(lifecycle == "OVERWRITE" ? .overwrite : .removal), how: lifecycle,
                    run: run?.summary))
            }
        }
        state.clears.sort { $0.at < $1.at }
        states[dataset] = state
        return state
    }

    /// The dataset's location, resolved with the pack.
    func location(of dataset: Int64) throws -> DatasetLocation {
        let state = try state(of: dataset)
        let jurisdictions = pack.jurisdictions
        if let (text, moment) = state.location {
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

/// A run with what the queries need beyond its public summary.
struct RunRecord {
    let id: Int64
    let jobID: Int64
    /// When it completed (the arrival phase of its completing event), if it did.
    let completion: Moment?
    let summary: RunSummary

    var processing: Processing { summary.processing }
}

/// The declared facts of one dataset at a horizon.
struct DatasetState {
    struct Clear {
        let at: Moment
        let how: String
        let run: RunSummary?
    }

    var categories: Set<String> = []
    var fields: [String: Set<String>] = [:]
    var subjectTypes: Set<String> = []
    var location: (text: String, at: Moment)?
    var retention: (text: String, at: Moment)?
    var anonymous: (flag: Bool, at: Moment)?
    /// DROP, TRUNCATE and OVERWRITE, in order: each ends everyone's presence.
    var clears: [Clear] = []
    /// The events whose facts are counted.
    var evidence: [Int] = []

    var isDeclaredAnonymous: Bool { anonymous?.flag == true }
}
