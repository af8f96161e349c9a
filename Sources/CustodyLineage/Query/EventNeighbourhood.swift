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

    /// The runs to judge, in the order of their first events; the datasets to judge, by name. The profiles
    /// carry no readers (`DatasetProfiler.profile(_:categories:listingReaders:)`): the rules take only their
    /// purposes, and a source read all over the log would otherwise bring every run that read it.
    ///
    /// - Parameter period: the events `seqs` are part of (`decide`: `seqs` itself). A run that touched a
    ///   dataset the events became evidence of is judged unless it has an event of `period` after `seqs`:
    ///   every finding about it cites that later event, and the part of the period holding it judges the run.
    /// - Parameter cache: profiles made for earlier parts of the same view, and where this part's are kept.
    func collect(_ seqs: Range<Int>, of period: Range<Int>, cache: ProfileCache?) throws -> (runs: [RunOverview], datasets: [DatasetProfile]) {
        precondition(period.contains(seqs.lowerBound) && seqs.upperBound <= period.upperBound, "a part outside its period")
        // A part of an audit trail names tens of thousands of runs and datasets: each step reads them all in one statement.
        let touched = try touched(by: seqs)
        try context.preload(edgesOfRuns: touched.runs)
        // Any event of a run becomes evidence about what the run wrote once it completes, whichever event named the output.
        var evidenced = Set(touched.evidenced)
        for run in touched.runs { evidenced.formUnion(try context.datasets(of: run, "out")) }
        let judged = Set(touched.runs).union(try context.runs(touchingAnyOf: evidenced, withoutEventsIn: seqs.upperBound..<period.upperBound))
        try context.preload(edgesOfRuns: judged)
        var roots = Set(touched.named).union(evidenced)
        for run in judged {
            roots.formUnion(try context.datasets(of: run, "in"))
            roots.formUnion(try context.datasets(of: run, "out"))
        }
        var kept: [DatasetProfile] = []
        var ids: [Int64] = []
        for id in roots {
            if let profile = cache?.profile(id) { kept.append(profile) } else { ids.append(id) }
        }
        let categories = try CategoryPropagation(context: context).categories(of: ids)
        // The datasets' facts, their writers (the runs a profile lists) and those writers' edges; then the judged runs.
        try context.preload(datasets: ids)
        try context.preload(runs: judged)
        try context.preload(subjectFactsOf: ids)
        if context.horizon.isEverything { try context.preload(readersOf: ids) }
        let profiler = DatasetProfiler(context: context)
        let made = try ids.map { try profiler.profile($0, categories: categories, listingReaders: false) }
        cache?.keep(made)
        return (try judged.compactMap(context.overview).sorted { $0.summary.started < $1.summary.started },
            (kept + made).sorted { $0.dataset < $1.dataset })
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
