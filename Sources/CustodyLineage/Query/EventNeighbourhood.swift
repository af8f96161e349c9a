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
    func collect(_ seqs: Range<Int>, of period: Range<Int>, cache: NeighbourhoodCache?) throws -> (runs: [RunOverview], datasets: [DatasetProfile]) {
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
        // All a profile needs, so that the profiles are made on every core: the datasets' facts, their writers (the
        // runs a profile lists) and those writers' edges, their categories, the people named on them, the names of
        // the datasets their categories came from, and their readers; and the judged runs.
        try context.preload(datasets: ids)
        let (categories, carried) = try categories(of: ids, cache: cache)
        try context.preload(runs: judged)
        try context.preload(subjectFactsOf: ids)
        try context.preload(datasetNames: DatasetProfiler.origins(in: categories.values))
        if context.horizon.isEverything { try context.preload(readersOf: ids) }
        let made = try DatasetProfiler(context: context).profilesOnEveryCore(ids, categories: categories, listingReaders: false)
        cache?.keep(made, carried: carried)
        return (try judged.compactMap(context.overview).sorted { $0.summary.started < $1.summary.started },
            (kept + made).sorted { $0.dataset < $1.dataset })
    }

    /// The categories of `ids` under the pack. A view of an earlier time works them out from upstream; given a
    /// cache, it stops at the datasets whose carried categories an earlier part worked out (they are the same in
    /// every part), and returns what it worked out for the cache to keep.
    private func categories(of ids: [Int64], cache: NeighbourhoodCache?)
        throws -> (categories: [Int64: CategoryPropagation.Held], carried: [Int64: CarriedCategories]) {
        let propagation = CategoryPropagation(context: context)
        guard let cache, !context.seesStoredCategories else { return (try propagation.categories(of: ids), [:]) }
        let carried = try propagation.carried(of: ids) { cache.carried($0) }
        return (propagation.underPack(carried, of: ids), carried)
    }

    /// What the events touch: every dataset they name (as inputs, outputs or a DatasetEvent's dataset),
    /// those whose evidence they became part of (declared on, written by their runs, a DatasetEvent's),
    /// and the runs they belong to.
    private func touched(by seqs: Range<Int>) throws -> (named: [Int64], evidenced: [Int64], runs: [Int64]) {
        let statement = try RawStatement(cached: context.db, sql: "SELECT leaf FROM log_entry WHERE seq >= ? AND seq < ? ORDER BY seq")
        var leaves: [[UInt8]] = []
        try statement.forEachRow(.integer(seqs.lowerBound), .integer(seqs.upperBound)) { leaves.append([UInt8](statement.blob(0))) }
        // Parsed on every core, a stretch each: each dataset the events name, once, and whether any of them made
        // it evidence; each run once.
        let stretches = ParallelMap.mapStretches(leaves) { stretch in
            Result { () throws -> (datasets: [NodeKey: Bool], runs: Set<String>) in
                var datasets: [NodeKey: Bool] = [:], runs: Set<String> = []
                func name(_ node: NodeKey, evidence: Bool) {
                    if evidence { datasets[node] = true } else if datasets[node] == nil { datasets[node] = false }
                }
                for leaf in stretch {
                    let event = try LogEntry.event(inLeaf: leaf)
                    guard let kind = EventKind(classifyingEvent: event) else { continue }
                    switch EventFacts(event, kind: kind).body {
                    case .run(let run):
                        runs.insert(run.runUUID)
                        for input in run.inputs { name(input.node, evidence: input.facts.isWorthRecording) }
                        for output in run.outputs { name(output.node, evidence: true) }
                    case .dataset(let entry):
                        name(entry.node, evidence: true)
                    case .job, .nothing:
                        // A job's defaults change its runs' processing, but no finding cites the JobEvent.
                        break
                    }
                }
                return (datasets, runs)
            }
        }
        var datasets: [NodeKey: Bool] = [:], runs: Set<String> = []
        for stretch in stretches {
            let (named, ran) = try stretch.get()
            datasets.merge(named) { $0 || $1 }
            runs.formUnion(ran)
        }
        // Looked up in one statement each: a part names tens of thousands.
        let keys = Array(datasets.keys)
        var named: [Int64] = [], evidenced: [Int64] = []
        try lookUp(keys.map { [$0.namespace, $0.name] }, """
            SELECT j.key, d.id FROM json_each(?) j
            JOIN lineage_dataset d ON d.name = json_extract(j.value, '$[1]') AND d.namespace = json_extract(j.value, '$[0]')
            """) { place, id in
            named.append(id)
            if datasets[keys[place]]! { evidenced.append(id) }
        }
        var runIDs: [Int64] = []
        try lookUp(runs.map { [$0] }, "SELECT j.key, r.id FROM json_each(?) j JOIN lineage_run r ON r.run_uuid = json_extract(j.value, '$[0]')") {
            runIDs.append($1)
        }
        return (named, evidenced, runIDs)
    }

    /// Runs `sql` with a JSON array of `keys` (each an array of texts) as its parameter; it selects the place
    /// of a key in the array and the row id found for it.
    private func lookUp(_ keys: [[String]], _ sql: String, _ found: (Int, Int64) -> Void) throws {
        guard !keys.isEmpty else { return }
        var list: [UInt8] = [UInt8(ascii: "[")]
        for (place, key) in keys.enumerated() {
            if place > 0 { list.append(UInt8(ascii: ",")) }
            list.append(UInt8(ascii: "["))
            for (index, text) in key.enumerated() {
                if index > 0 { list.append(UInt8(ascii: ",")) }
                CanonicalJSON.writeString(text, to: &list)
            }
            list.append(UInt8(ascii: "]"))
        }
        list.append(UInt8(ascii: "]"))
        let statement = try RawStatement(cached: context.db, sql: sql)
        try statement.forEachRow(.text(String(decoding: list, as: UTF8.self))) { found(statement.int(0), Int64(statement.int(1))) }
    }
}
