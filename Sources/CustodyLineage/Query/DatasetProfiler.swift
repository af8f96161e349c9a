import CustodyLog
import GRDB

/// Assembles a dataset's profile from its declared state, its propagated categories and its runs.
struct DatasetProfiler {
    let context: QueryContext

    /// - Parameter listingReaders: false for the rules, which take only the purposes of the runs that read the
    ///   dataset (`DatasetProfile.purposes`): those are then read in one statement, with no run's summary, and
    ///   `readers` stays empty.
    func profile(_ id: Int64, categories: [Int64: CategoryPropagation.Held], listingReaders: Bool = true) throws -> DatasetProfile {
        let state = try context.state(of: id)
        let held = categories[id] ?? CategoryPropagation.Held()
        // A few runs with a purpose or two each: a list searched in order beats a hash table.
        var purposes: [String] = []
        var writers: [RunSummary] = [], readers: [RunSummary] = []
        // Seeing every event, a run's row tells its processing, and every run with an edge the view sees is visible.
        let readersAsStates = !listingReaders && context.horizon.isEverything
        if readersAsStates {
            for run in try context.runStates(touching: id, "in") {
                for purpose in run.processing.purposes where !purposes.contains(purpose) { purposes.append(purpose) }
            }
        }
        for direction in readersAsStates ? ["out"] : ["out", "in"] {
            for runID in try context.runs(touching: id, direction) {
                guard let run = try context.run(runID) else { continue }
                // A run that did not complete wrote nothing; a reader is listed whatever became of it.
                if direction == "out" && run.completion == nil { continue }
                for purpose in run.processing.purposes where !purposes.contains(purpose) { purposes.append(purpose) }
                if direction == "out" { writers.append(run.summary) } else if listingReaders { readers.append(run.summary) }
            }
        }
        let name = try context.datasetName(id)
        return DatasetProfile(
            dataset: name, storeID: id, location: try context.location(of: id), categories: try heldCategories(held),
            subjectTypes: state.subjectTypes.sorted(), retention: state.retention?.text, declaredAnonymous: state.isDeclaredAnonymous,
            pseudonymised: held.pseudonymised, purposes: purposes.sorted(), collectionPurposes: held.collectionPurposes.sorted(),
            firstWrite: try held.firstWrite.map { first in
                .init(at: EventStamp(Moment(time: first.time, seq: first.seq)), dataset: try context.datasetName(first.origin))
            },
            confirmedArrivals: try confirmedPresence(id).values.sorted().map(EventStamp.init),
            writers: writers.sorted { $0.started < $1.started }, readers: readers.sorted { $0.started < $1.started },
            clears: state.clears.map { .init(dataset: name, at: EventStamp($0.at), how: $0.how, run: $0.run) },
            evidence: state.evidence.sorted())
    }

    /// The profiles of `ids`, made on every core, a stretch of datasets each (neighbouring datasets share runs,
    /// whose reference counts the cores would otherwise contend for), where the context has loaded all they
    /// need; else on this thread, reading what is missing (`QueryContext.whileReadsForbidden`).
    func profilesOnEveryCore(_ ids: [Int64], categories: [Int64: CategoryPropagation.Held], listingReaders: Bool = true) throws
        -> [DatasetProfile] {
        let shared = SharedForReading(context: context)
        let stretches = context.whileReadsForbidden {
            ParallelMap.mapStretches(ids) { stretch in
                Result { try stretch.map { try shared.profiler.profile($0, categories: categories, listingReaders: listingReaders) } }
            }
        }
        if let stretches, let profiles = try? stretches.flatMap({ try $0.get() }) { return profiles }
        // Something was not loaded after all: asked again on this thread, reading what it needs.
        return try ids.map { try profile($0, categories: categories, listingReaders: listingReaders) }
    }

    /// The datasets that the categories and first writes in `held` came from, which their profiles name.
    static func origins(in held: some Sequence<CategoryPropagation.Held>) -> Set<Int64> {
        var origins = Set<Int64>()
        for held in held {
            for origin in held.origins where origin.source != 0 { origins.insert(origin.source) }
            if let first = held.firstWrite { origins.insert(first.origin) }
        }
        return origins
    }

    /// A profiler whose context threads share while it only answers from what it loaded
    /// (`QueryContext.whileReadsForbidden`): nothing in it changes meanwhile.
    private struct SharedForReading: @unchecked Sendable {
        let context: QueryContext
        var profiler: DatasetProfiler { DatasetProfiler(context: context) }
    }

    /// Each key the dataset holds once: the columns it is in, whether it was declared on the dataset, and the
    /// datasets it came from. Whole-store questions make a hundred thousand of these lists, so the origins
    /// are grouped by sorting a few indices rather than through tables of sets.
    func heldCategories(_ held: CategoryPropagation.Held) throws -> [HeldCategory] {
        let origins = held.origins
        guard !origins.isEmpty else { return [] }
        // By key; a key's columns then come in the origins' order (the whole dataset first, then by name).
        let order = origins.indices.sorted { (origins[$0].key, $0) < (origins[$1].key, $1) }
        var categories: [HeldCategory] = []
        // Most keys came from the same inputs: their lists of names are made once and shared.
        var named: [(sources: [Int64], names: [NodeName])] = []
        func names(_ sources: [Int64]) throws -> [NodeName] {
            if let known = named.first(where: { $0.sources == sources }) { return known.names }
            let names = try sources.map(context.datasetName).sorted()
            named.append((sources, names))
            return names
        }
        var start = 0
        while start < order.count {
            let key = origins[order[start]].key
            var end = start
            var columns: [String] = [], declared = false, sources: [Int64] = []
            while end < order.count, origins[order[end]].key == key {
                let origin = origins[order[end]]
                if let field = origin.field, columns.last != field { columns.append(field) }
                if origin.source == 0 { declared = true } else if !sources.contains(origin.source) { sources.append(origin.source) }
                end += 1
            }
            categories.append(HeldCategory(key: key, columns: columns, declared: declared, from: try names(sources)))
            start = end
        }
        return categories
    }

    /// Tokens an event named on the dataset whose presence has not ended since.
    func confirmedSubjects(_ id: Int64) throws -> Set<String> {
        Set(try confirmedPresence(id).keys)
    }

    /// For each person an event named on the dataset and whose presence has not ended: since when they
    /// have been there (their first arrival after the last erasure of them or clear of the dataset).
    func confirmedPresence(_ id: Int64) throws -> [String: Moment] {
        var facts: [String: (arrivals: [Moment], removal: Moment?)] = [:]
        for fact in try context.subjectFacts(of: id) {
            guard context.horizon.sees(seq: fact.seq, time: fact.time) else { continue }
            var moment = Moment(time: fact.time, seq: fact.seq)
            if let runID = fact.run {
                guard let run = try context.run(runID), let completion = run.completion else { continue }
                moment = completion
            }
            if fact.kind == "w" { facts[fact.token, default: ([], nil)].arrivals.append(moment.with(.arrival)) } else {
                let removal = moment.with(.removal)
                facts[fact.token, default: ([], nil)].removal = max(facts[fact.token]?.removal ?? removal, removal)
            }
        }
        let clear = try context.state(of: id).clears.last?.at
        var present: [String: Moment] = [:]
        for (token, fact) in facts {
            let end = [fact.removal, clear].compactMap { $0 }.max()
            if let since = fact.arrivals.filter({ end == nil || $0 > end! }).min() { present[token] = since }
        }
        return present
    }
}
