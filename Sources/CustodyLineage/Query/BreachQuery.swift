import GRDB

/// The blast radius of a leaked dataset.
struct BreachQuery {
    let context: QueryContext

    func scope(of dataset: Int64) throws -> BreachScope {
        // Everyone who could be in the dataset was named somewhere upstream of it; each is followed
        // forward to see whether their data is there at the horizon.
        var upstream: Set<Int64> = [dataset]
        var queue = [dataset]
        while let next = queue.popLast() {
            for run in try context.runStates(touching: next, "out") where run.completion != nil && run.processing.carriesSubjects {
                for input in try context.datasets(of: run.id, "in") where upstream.insert(input).inserted { queue.append(input) }
            }
        }
        var candidates: Set<String> = []
        for id in upstream {
            candidates.formUnion(try String.fetchAll(context.db.cachedStatement(sql: "SELECT DISTINCT token FROM lineage_subject WHERE dataset_id = ? AND kind = 'w'"),
                arguments: [id]))
        }
        let name = try context.datasetName(dataset)
        var exposed = 0
        for token in candidates.sorted() {
            let trail = try SubjectTrailQuery(context: context, tokens: [token]).run()
            if trail.datasets.contains(where: { $0.dataset == name && $0.isPresent }) { exposed += 1 }
        }

        // Copies downstream: datasets completed runs carried its personal data into.
        var downstream: Set<Int64> = []
        var disclosures: [Int64: SubjectTrail.Disclosure] = [:]
        queue = [dataset]
        var visited: Set<Int64> = [dataset]
        while let next = queue.popLast() {
            for run in try context.runStates(touching: next, "in") {
                guard let completion = run.completion else { continue }
                if disclosures[run.id] == nil { disclosures[run.id] = try context.disclosure(by: run, at: completion) }
                guard run.processing.carriesSubjects else { continue }
                for output in try context.datasets(of: run.id, "out") where visited.insert(output).inserted {
                    downstream.insert(output)
                    queue.append(output)
                }
            }
        }
        let categories = try CategoryPropagation(context: context).categories(of: [dataset])
        let profiler = DatasetProfiler(context: context)
        return BreachScope(
            dataset: name, location: try context.location(of: dataset),
            categories: try profiler.heldCategories(categories[dataset] ?? .init()),
            subjects: exposed, confirmedSubjects: try profiler.confirmedSubjects(dataset).count,
            downstream: try downstream.map(context.datasetName).sorted(),
            disclosures: disclosures.values.sorted { ($0.at, $0.recipient.name) < ($1.at, $1.recipient.name) })
    }
}
