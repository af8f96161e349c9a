import CustodyLineage
import CustodyPack

/// What the rules look at, read once from the lineage view: every run with its datasets, every dataset
/// with its location and categories (declared and carried in), and the pack to read them with.
struct ProcessingFacts {
    let runs: [RunOverview]
    let datasets: [NodeName: DatasetProfile]
    let pack: PolicyPack
    let returnsAfterErasure: [ReturnAfterErasure]

    init(runs: [RunOverview], datasets: [DatasetProfile], pack: PolicyPack, returnsAfterErasure: [ReturnAfterErasure] = []) {
        self.runs = runs
        self.returnsAfterErasure = returnsAfterErasure
        self.datasets = Dictionary(datasets.map { ($0.dataset, $0) }, uniquingKeysWith: { first, _ in first })
        self.pack = pack
    }

    /// Datasets in name order, for rules that judge datasets.
    var datasetsInOrder: [DatasetProfile] { datasets.values.sorted { $0.dataset < $1.dataset } }

    /// A dataset holds personal data when it is not declared anonymous and holds a category or a person
    /// an event named on it. Aggregates keep their inputs' categories, so they count.
    func holdsPersonalData(_ dataset: DatasetProfile) -> Bool {
        !dataset.declaredAnonymous && (!dataset.categories.isEmpty || dataset.confirmedSubjects > 0)
    }

    func holdsPersonalData(_ name: NodeName) -> Bool {
        datasets[name].map(holdsPersonalData) ?? false
    }

    /// The categories a run's data holds (its inputs and outputs), each with the datasets that hold it.
    func categories(of run: RunOverview) -> [String: [NodeName]] {
        var found: [String: [NodeName]] = [:]
        for name in run.inputs + run.outputs {
            guard let dataset = datasets[name], !dataset.declaredAnonymous else { continue }
            for category in dataset.categories { found[category.key, default: []].append(name) }
        }
        return found
    }

    /// Whether a run read or wrote personal data.
    func touchesPersonalData(_ run: RunOverview) -> Bool {
        (run.inputs + run.outputs).contains(where: holdsPersonalData)
    }

    /// The events that declared what a dataset holds, and those of the completed runs that wrote it.
    func evidence(of dataset: DatasetProfile) -> [Int] {
        dataset.evidence + dataset.writers.flatMap(\.events)
    }

    /// The run's events, and the events that declared what its datasets hold.
    func evidence(of run: RunOverview, datasets names: [NodeName] = []) -> [Int] {
        run.summary.events + names.flatMap { datasets[$0]?.evidence ?? [] }
    }
}
