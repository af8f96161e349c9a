import CustodyLog
import CustodyModel

/// What a judgement of some events needs to see, for `decide`: findings that cite those events concern
/// the runs they belong to, the datasets they name, and the runs that used a dataset whose evidence the
/// events became part of: one they declared something on (its declarations are evidence in findings about
/// its runs) or one their runs wrote (a collection's events are evidence in findings about the runs that
/// use its output). A dataset named only as an input, with nothing declared on it, brings no other runs:
/// no finding about them can cite the events. Judging those runs needs the profile of every dataset they
/// read or wrote; what a profile takes from upstream (categories, collection purposes, first write) the
/// lineage projection keeps per dataset, so nothing upstream is read. Every rule works out a run's or a
/// dataset's facts from its profiles only, so judging this part of the store finds, about those runs and
/// datasets, what judging the whole store would.
struct EventNeighbourhood {
    let context: QueryContext

    /// The runs to judge, in the order of their first events; the datasets to judge, by name.
    func collect(_ seqs: Range<Int>) throws -> (runs: [RunOverview], datasets: [DatasetProfile]) {
        let touched = try touched(by: seqs)
        var judged = Set(touched.runs)
        for dataset in touched.evidenced {
            judged.formUnion(try context.runs(touching: dataset, "in"))
            judged.formUnion(try context.runs(touching: dataset, "out"))
        }
        var roots = Set(touched.named)
        for run in judged {
            roots.formUnion(try context.datasets(of: run, "in"))
            roots.formUnion(try context.datasets(of: run, "out"))
        }
        let categories = try CategoryPropagation(context: context).categories(of: Array(roots))
        // Every run a profile lists (a popular source is read by many), read in one pass rather than one by one.
        var listed = judged
        for dataset in roots {
            listed.formUnion(try context.runs(touching: dataset, "in"))
            listed.formUnion(try context.runs(touching: dataset, "out"))
        }
        try context.preload(runs: listed)
        let profiler = DatasetProfiler(context: context)
        let datasets = try roots.map { try profiler.profile($0, categories: categories) }.sorted { $0.dataset < $1.dataset }
        return (try judged.compactMap(context.overview).sorted { $0.summary.started < $1.summary.started }, datasets)
    }

    /// What the events touch: every dataset they name (as inputs, outputs or a DatasetEvent's dataset),
    /// those whose evidence they became part of (declared on, written by their runs, a DatasetEvent's),
    /// and the runs they belong to.
    private func touched(by seqs: Range<Int>) throws -> (named: [Int64], evidenced: [Int64], runs: [Int64]) {
        let leaves = try RawStatement(cached: context.db, sql: "SELECT leaf FROM log_entry WHERE seq >= ? AND seq < ? ORDER BY seq")
        var events: [EventFacts] = []
        try leaves.forEachRow(.integer(seqs.lowerBound), .integer(seqs.upperBound)) {
            let entry = try LogEntry(leaf: [UInt8](leaves.blob(0)))
            guard case .object(let object) = entry.event, let kind = EventKind(classifying: object) else { return }
            events.append(EventFacts(entry.event, kind: kind))
        }
        var named: [Int64] = [], evidenced: [Int64] = [], runs: [Int64] = []
        for event in events {
            switch event.body {
            case .run(let run):
                if let id = try id("SELECT id FROM lineage_run WHERE run_uuid = ?", run.runUUID) { runs.append(id) }
                for entry in run.inputs {
                    guard let id = try datasetID(entry.node) else { continue }
                    named.append(id)
                    if entry.facts.isWorthRecording { evidenced.append(id) }
                }
                for entry in run.outputs {
                    guard let id = try datasetID(entry.node) else { continue }
                    named.append(id)
                    evidenced.append(id)
                }
            case .dataset(let entry):
                if let id = try datasetID(entry.node) {
                    named.append(id)
                    evidenced.append(id)
                }
            case .job, .nothing:
                // A job's defaults change its runs' processing, but no finding cites the JobEvent.
                break
            }
        }
        return (named, evidenced, runs)
    }

    private func datasetID(_ node: NodeKey) throws -> Int64? {
        try id("SELECT id FROM lineage_dataset WHERE name = ? AND namespace = ?", node.name, node.namespace)
    }

    private func id(_ sql: String, _ values: String...) throws -> Int64? {
        let statement = try RawStatement(cached: context.db, sql: sql)
        var found: Int64?
        try statement.forEachRow(values.map { .text($0) }) { found = Int64(statement.int(0)) }
        return found
    }
}
