import CustodyLineage
import CustodyLog
import CustodyPack

/// What the rules look at, read once from the lineage view: every run with its datasets and the
/// categories its data holds, every dataset with its location and categories (declared and carried
/// in), and the pack to read them with.
///
/// Rules judge the runs whose datasets all have a profile here (for the whole store, every run) and the
/// datasets profiled. What comes from upstream (categories, collection purposes, first writes) the lineage
/// view carries into each profile, so judging part of the store (`decide`) needs no run upstream of it.
struct ProcessingFacts: Sendable {
    /// A run with what every rule asks of it, worked out once.
    /// A class, not a struct: the rules pass runs around by the hundred thousand, and a copy of a reference
    /// is one count where a copy of these fields is a dozen.
    final class JudgedRun: Sendable {
        let overview: RunOverview
        /// It read or wrote a dataset holding personal data.
        let touchesPersonalData: Bool
        /// The Art. 9 special categories and the Art. 10 criminal-offence categories its inputs and
        /// outputs hold, each with the datasets that hold it (mostly none, so worked out once here).
        let specialCategories: [String: [NodeName]]
        let criminalCategories: [String: [NodeName]]

        var summary: RunSummary { overview.summary }
        var inputs: [NodeName] { overview.inputs }
        var outputs: [NodeName] { overview.outputs }

        init(overview: RunOverview, touchesPersonalData: Bool, specialCategories: [String: [NodeName]], criminalCategories: [String: [NodeName]]) {
            self.overview = overview
            self.touchesPersonalData = touchesPersonalData
            self.specialCategories = specialCategories
            self.criminalCategories = criminalCategories
        }
    }

    /// The runs the rules judge: those whose inputs and outputs are all profiled.
    let runs: [JudgedRun]
    /// The datasets profiled, in name order.
    let datasetsInOrder: [DatasetProfile]
    /// For each of them, whether it holds personal data (`holdsPersonalData(_:)`).
    let holdsPersonalDataByPlace: [Bool]
    /// Where each profiled dataset and each judged run's job comes in name order, by row id: how rules find
    /// a run's datasets, and how findings are ordered, without hashing names.
    let ranks: NodeRanks
    let pack: PolicyPack
    let returnsAfterErasure: [ReturnAfterErasure]
    let namedAfterForgetting: [NamedAfterForgetting]
    /// What the taxonomy says of every category key a dataset holds.
    private let resolved: [String: Taxonomy.Resolved]

    /// - Parameter jobsInNameOrder: job ids in name order as the store sorts them (`Lineage.jobsInNameOrder`), for
    ///   a whole store: used when it agrees with `NodeName`'s order (checked), else the jobs are sorted here.
    init(runs: [RunOverview], datasets: [DatasetProfile], pack: PolicyPack, returnsAfterErasure: [ReturnAfterErasure] = [],
         namedAfterForgetting: [NamedAfterForgetting] = [], jobsInNameOrder: [Int64]? = nil) {
        self.pack = pack
        self.returnsAfterErasure = returnsAfterErasure
        self.namedAfterForgetting = namedAfterForgetting
        // The lineage view lists datasets by name already; sort only what came otherwise (each dataset once).
        let inOrder = zip(datasets, datasets.dropFirst()).allSatisfy({ $0.dataset < $1.dataset })
            ? datasets : Dictionary(datasets.map { ($0.storeID, $0) }, uniquingKeysWith: { first, _ in first }).values.sorted { $0.dataset < $1.dataset }
        datasetsInOrder = inOrder
        var places: [Int64: Int] = [:]
        places.reserveCapacity(inOrder.count)
        for (place, dataset) in inOrder.enumerated() { places[dataset.storeID] = place }
        let datasetPlaces = places
        // Per dataset, once: what the taxonomy says of each key it holds (each distinct key asked once), and
        // unless it is declared anonymous, whether it holds personal data and its special and criminal
        // categories. A dataset declared anonymous has no flags.
        typealias Flags = (personal: Bool, special: [String], criminal: [String])
        // On every core, a stretch of datasets each, then a stretch of runs each.
        let flagsAndKeys = ParallelMap.mapStretches(inOrder) { stretch in
            var resolved: [String: Taxonomy.Resolved] = [:]
            let flags = stretch.map { dataset -> Flags? in
                var special: [String] = [], criminal: [String] = []
                for category in dataset.categories {
                    let verdict: Taxonomy.Resolved
                    if let known = resolved[category.key] { verdict = known } else {
                        verdict = pack.taxonomy.category(category.key)
                        resolved[category.key] = verdict
                    }
                    if verdict.specialCategory != nil { special.append(category.key) }
                    if verdict.criminal { criminal.append(category.key) }
                }
                return dataset.declaredAnonymous ? nil : (Self.holdsPersonalData(dataset), special, criminal)
            }
            return (flags, resolved)
        }
        let flags = flagsAndKeys.flatMap { $0.0 }
        holdsPersonalDataByPlace = flags.map { $0?.personal ?? false }
        resolved = flagsAndKeys.reduce(into: [:]) { all, stretch in all.merge(stretch.1) { first, _ in first } }
        // One pass over each run's datasets, one lookup of an id each: whether all are profiled, and what they
        // hold (no list is made per run; a whole store has a hundred thousand runs or more).
        let judged = ParallelMap.mapStretches(runs) { stretch in
            var judged: [JudgedRun] = []
            judged.reserveCapacity(stretch.count)
            runs: for run in stretch {
                var special: [String: [NodeName]] = [:], criminal: [String: [NodeName]] = [:]
                var personal = false
                for side in 0..<2 {
                    let (names, ids) = side == 0 ? (run.inputs, run.inputIDs) : (run.outputs, run.outputIDs)
                    for index in ids.indices {
                        guard let place = datasetPlaces[ids[index]] else { continue runs }
                        guard let flag = flags[place] else { continue }
                        personal = personal || flag.personal
                        for key in flag.special { special[key, default: []].append(names[index]) }
                        for key in flag.criminal { criminal[key, default: []].append(names[index]) }
                    }
                }
                judged.append(JudgedRun(overview: run, touchesPersonalData: personal, specialCategories: special, criminalCategories: criminal))
            }
            return judged
        }.flatMap { $0 }
        var jobs: [Int64: NodeName] = [:]
        for run in judged { jobs[run.summary.jobID] = run.summary.job }
        self.runs = judged
        ranks = NodeRanks(datasets: places, jobs: Self.places(of: jobs, listed: jobsInNameOrder))
    }

    /// Each job's place in name order: as `listed` gives them, if it lists them in that order, else sorted here.
    private static func places(of jobs: [Int64: NodeName], listed: [Int64]?) -> [Int64: Int] {
        var places: [Int64: Int] = [:]
        places.reserveCapacity(jobs.count)
        if let listed {
            var previous: NodeName?
            for id in listed {
                guard let name = jobs[id] else { continue }
                if let previous, !(previous < name) { break }
                places[id] = places.count
                previous = name
            }
            if places.count == jobs.count { return places }
            places.removeAll(keepingCapacity: true)
        }
        for (place, job) in jobs.sorted(by: { $0.value < $1.value }).enumerated() { places[job.key] = place }
        return places
    }

    /// A profiled dataset, by row id.
    func profile(id: Int64) -> DatasetProfile? {
        ranks.datasets[id].map { datasetsInOrder[$0] }
    }

    /// The categories a run's inputs and outputs hold, each with the datasets that hold it.
    func categories(of run: JudgedRun) -> [String: [NodeName]] {
        var categories: [String: [NodeName]] = [:]
        for id in run.overview.inputIDs + run.overview.outputIDs {
            guard let dataset = profile(id: id), !dataset.declaredAnonymous else { continue }
            for category in dataset.categories { categories[category.key, default: []].append(dataset.dataset) }
        }
        return categories
    }

    /// The profile of a dataset the run read or wrote (a run lists a few: searched in order).
    func profile(_ name: NodeName, of run: JudgedRun) -> DatasetProfile? {
        let overview = run.overview
        if let index = overview.inputs.firstIndex(of: name) { return profile(id: overview.inputIDs[index]) }
        return overview.outputs.firstIndex(of: name).flatMap { profile(id: overview.outputIDs[$0]) }
    }

    /// A dataset holds personal data when it is not declared anonymous and holds a category or a person
    /// an event named on it. Aggregates keep their inputs' categories, so they count.
    func holdsPersonalData(_ dataset: DatasetProfile) -> Bool {
        Self.holdsPersonalData(dataset)
    }

    static func holdsPersonalData(_ dataset: DatasetProfile) -> Bool {
        !dataset.declaredAnonymous && (!dataset.categories.isEmpty || dataset.confirmedSubjects > 0)
    }

    /// What the taxonomy says of a category key.
    func category(_ key: String) -> Taxonomy.Resolved {
        resolved[key] ?? pack.taxonomy.category(key)
    }

    /// The events that declared what a dataset holds, and those of the completed runs that wrote it.
    func evidence(of dataset: DatasetProfile) -> [Int] {
        dataset.evidence + dataset.writers.flatMap(\.events)
    }

    /// The run's events, and the events that declared what the datasets it read or wrote among `names` hold.
    func evidence(of run: JudgedRun, datasets names: [NodeName] = []) -> [Int] {
        run.summary.events + names.flatMap { profile($0, of: run)?.evidence ?? [] }
    }
}
