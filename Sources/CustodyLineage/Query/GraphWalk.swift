import GRDB

/// Walks the graph of completed runs breadth-first from a dataset or job, `depth` dataset hops each way.
/// Every node is expanded once, so cycles end the walk instead of hanging it.
struct GraphWalk {
    let context: QueryContext
    let depth: Int

    private struct EdgeKey: Hashable {
        let from: NodeName
        let to: NodeName
    }

    func walk(from root: (kind: NodeName.Kind, id: Int64, name: NodeName), direction: LineageGraph.Direction) throws -> LineageGraph {
        var distances: [NodeName: Int] = [root.name: 0]
        var edges: [EdgeKey: (runs: Int, last: Moment)] = [:]
        func addEdge(_ from: NodeName, _ to: NodeName, _ at: Moment) {
            let key = EdgeKey(from: from, to: to)
            let old = edges[key]
            edges[key] = ((old?.runs ?? 0) + 1, max(old?.last ?? at, at))
        }
        for step in [LineageGraph.Direction.up, .down] where direction == .both || direction == step {
            let sign = step == .up ? -1 : 1
            let toward = step == .up ? "out" : "in", away = step == .up ? "in" : "out"
            var frontier: [Int64] = []
            var seen: Set<Int64> = []
            if root.kind == .dataset {
                frontier = [root.id]
                seen = [root.id]
            } else {
                // A job's own runs take the first hop.
                for runID in try Int64.fetchAll(context.db, sql: "SELECT id FROM lineage_run WHERE job_id = ?", arguments: [root.id]) {
                    guard let run = try context.run(runID), let completion = run.completion else { continue }
                    for dataset in try context.datasets(of: runID, away) {
                        let name = try context.datasetName(dataset)
                        step == .up ? addEdge(name, root.name, completion) : addEdge(root.name, name, completion)
                        if seen.insert(dataset).inserted {
                            distances[name] = distances[name] ?? sign
                            frontier.append(dataset)
                        }
                    }
                }
            }
            var hop = root.kind == .dataset ? 0 : 1
            while !frontier.isEmpty && hop < depth {
                hop += 1
                var next: [Int64] = []
                for dataset in frontier {
                    let datasetName = try context.datasetName(dataset)
                    for runID in try context.runs(touching: dataset, toward) {
                        guard let run = try context.run(runID), let completion = run.completion else { continue }
                        let job = run.summary.job
                        if distances[job] == nil { distances[job] = sign * hop }
                        step == .up ? addEdge(job, datasetName, completion) : addEdge(datasetName, job, completion)
                        for other in try context.datasets(of: runID, away) {
                            let otherName = try context.datasetName(other)
                            step == .up ? addEdge(otherName, job, completion) : addEdge(job, otherName, completion)
                            if seen.insert(other).inserted {
                                if distances[otherName] == nil { distances[otherName] = sign * hop }
                                next.append(other)
                            }
                        }
                    }
                }
                frontier = next
            }
        }
        // An edge counts each run once per direction walked; report runs per job edge as seen.
        return LineageGraph(
            root: root.name, direction: direction, depth: depth,
            nodes: distances.map { LineageGraph.Node(name: $0.key, distance: $0.value) }
                .sorted { ($0.distance, $0.name) < ($1.distance, $1.name) },
            edges: edges.map { LineageGraph.Edge(from: $0.key.from, to: $0.key.to, runs: $0.value.runs, lastCompleted: EventStamp($0.value.last)) }
                .sorted { ($0.from, $0.to) < ($1.from, $1.to) })
    }
}
