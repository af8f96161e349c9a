import CustodyLog
import GRDB

/// Walks the graph of completed runs from a dataset or job, `depth` dataset hops each way, in one
/// recursive SQL statement per direction: SQLite follows the edges without a round trip per node.
/// Each (dataset, run, dataset, hop) step is produced once, so a cycle ends at the depth limit.
struct GraphWalk {
    let context: QueryContext
    let depth: Int

    /// A node by its row id, cheaper to hash than its name.
    private struct NodeKey: Hashable {
        let kind: NodeName.Kind
        let id: Int64
    }

    private struct SidedKey: Hashable {
        let node: NodeKey
        let sign: Int
    }

    private struct EdgeKey: Hashable {
        let from: NodeKey
        let to: NodeKey
    }

    /// A run counts if its latest visible terminal event is COMPLETE. The row keeps the latest terminal
    /// event of all; only when the horizon hides it are the run's events read (the same rule as
    /// `QueryContext.run`, which the propagation tests hold both to).
    static let completed = """
        (CASE WHEN r.terminal_seq < ?5 AND r.terminal_time <= ?6 THEN r.terminal_type = 'COMPLETE'
         ELSE (SELECT e.event_type = 'COMPLETE' FROM lineage_run_event e
               WHERE e.run_id = r.id AND e.event_type IN ('COMPLETE', 'FAIL', 'ABORT') AND e.seq < ?5 AND e.event_time <= ?6
               ORDER BY e.event_time DESC, e.seq DESC LIMIT 1) END)
        """

    static let walk = """
        WITH RECURSIVE step(from_id, run_id, to_id, hop) AS (
            SELECT NULL, NULL, ?1, ?2
            UNION
            SELECT s.to_id, t.run_id, a.dataset_id, s.hop + 1
            FROM step s
            JOIN lineage_io t ON t.dataset_id = s.to_id AND t.direction = ?3 AND t.seq < ?5
            JOIN lineage_run r ON r.id = t.run_id
            LEFT JOIN lineage_io a ON a.run_id = t.run_id AND a.direction = ?4 AND a.seq < ?5
            WHERE s.hop < ?7 AND \(completed)
        )
        SELECT s.from_id, s.run_id, s.to_id, s.hop, r.job_id, r.terminal_type, r.terminal_time, r.terminal_seq,
               j.namespace, j.name, near.namespace, near.name, far.namespace, far.name
        FROM step s JOIN lineage_run r ON r.id = s.run_id JOIN lineage_job j ON j.id = r.job_id
        JOIN lineage_dataset near ON near.id = s.from_id LEFT JOIN lineage_dataset far ON far.id = s.to_id
        """

    func walk(from root: (kind: NodeName.Kind, id: Int64, name: NodeName), direction: LineageGraph.Direction) throws -> LineageGraph {
        let rootKey = NodeKey(kind: root.kind, id: root.id)
        var names: [NodeKey: NodeName] = [rootKey: root.name]
        // Per direction: a node both upstream and downstream (a loop) is listed on both sides.
        var distances: [SidedKey: Int] = [SidedKey(node: rootKey, sign: 0): 0]
        var edges: [EdgeKey: (runs: Set<Int64>, last: Moment)] = [:]
        func addEdge(_ from: NodeKey, _ to: NodeKey, run: Int64, at: Moment) {
            let key = EdgeKey(from: from, to: to)
            var entry = edges[key] ?? ([], at)
            entry.runs.insert(run)
            entry.last = max(entry.last, at)
            edges[key] = entry
        }
        func note(_ key: NodeKey, _ distance: Int, _ name: @autoclosure () -> NodeName) {
            if names[key] == nil { names[key] = name() }
            guard key != rootKey else { return }
            let sided = SidedKey(node: key, sign: distance.signum())
            if let known = distances[sided], abs(known) <= abs(distance) { return }
            distances[sided] = distance
        }
        let statement = try RawStatement(cached: context.db, sql: Self.walk)
        for step in [LineageGraph.Direction.up, .down] where direction == .both || direction == step {
            let sign = step == .up ? -1 : 1
            let toward = step == .up ? "out" : "in", away = step == .up ? "in" : "out"
            // Where the walk starts: the dataset itself, or the datasets a job's completed runs touched.
            var seeds: [(dataset: Int64, hop: Int)] = []
            if root.kind == .dataset {
                seeds = [(root.id, 0)]
            } else {
                for runID in try Int64.fetchAll(context.db, sql: "SELECT id FROM lineage_run WHERE job_id = ?", arguments: [root.id]) {
                    guard let run = try context.run(runID), let completion = run.completion else { continue }
                    for dataset in try context.datasets(of: run.id, away) {
                        let key = NodeKey(kind: .dataset, id: dataset)
                        step == .up ? addEdge(key, rootKey, run: run.id, at: completion) : addEdge(rootKey, key, run: run.id, at: completion)
                        let name = try context.datasetName(dataset)
                        note(key, sign, name)
                        seeds.append((dataset, 1))
                    }
                }
            }
            for seed in seeds where seed.hop < depth {
                var rows: [(run: Int64, near: NodeKey, far: NodeKey?, hop: Int, job: NodeKey, terminal: Moment?)] = []
                try statement.forEachRow(
                    .integer(Int(seed.dataset)), .integer(seed.hop), .text(toward), .text(away), .integer(context.horizon.knownSize),
                    .integer(Int(context.horizon.asOf)), .integer(depth)
                ) {
                    guard !statement.isNull(0) else { return }
                    let terminal = statement.isNull(6) ? nil : Moment(time: Int64(statement.int(6)), seq: statement.int(7))
                    let near = NodeKey(kind: .dataset, id: Int64(statement.int(0))), job = NodeKey(kind: .job, id: Int64(statement.int(4)))
                    let far = statement.isNull(2) ? nil : NodeKey(kind: .dataset, id: Int64(statement.int(2)))
                    // Names are read once per node: most nodes come back on several rows.
                    func remember(_ key: NodeKey, namespaceColumn column: Int32) {
                        guard names[key] == nil else { return }
                        names[key] = NodeName(key.kind, namespace: statement.text(column) ?? "", name: statement.text(column + 1) ?? "")
                    }
                    remember(job, namespaceColumn: 8)
                    remember(near, namespaceColumn: 10)
                    if let far { remember(far, namespaceColumn: 12) }
                    rows.append((Int64(statement.int(1)), near, far, statement.int(3), job, terminal))
                }
                for row in rows {
                    // The row's terminal event is the completion when the horizon shows it; else the run's events say.
                    let completion: Moment
                    if let terminal = row.terminal, context.horizon.sees(seq: terminal.seq, time: terminal.time) {
                        completion = terminal
                    } else if let visible = try context.run(row.run)?.completion {
                        completion = visible
                    } else {
                        continue
                    }
                    note(row.job, sign * row.hop, names[row.job]!)
                    step == .up ? addEdge(row.job, row.near, run: row.run, at: completion) : addEdge(row.near, row.job, run: row.run, at: completion)
                    guard let far = row.far else { continue }
                    note(far, sign * row.hop, names[far]!)
                    step == .up ? addEdge(far, row.job, run: row.run, at: completion) : addEdge(row.job, far, run: row.run, at: completion)
                }
            }
        }
        // Ordered by their ids as text. Each id is built and compared once, in one sort of the distinct
        // nodes; the nodes and edges are then sorted by rank, as integers.
        var endpoints = Set(distances.keys.map(\.node))
        endpoints.insert(rootKey)
        for edge in edges.keys {
            endpoints.insert(edge.from)
            endpoints.insert(edge.to)
        }
        var rank: [NodeKey: Int] = [:]
        for (position, key) in endpoints.map({ (key: $0, id: names[$0]!.id) }).sorted(by: { $0.id < $1.id }).map(\.key).enumerated() {
            rank[key] = position
        }
        let nodeOrder = distances.map { (distance: $0.value, rank: rank[$0.key.node]!, key: $0.key.node) }
            .sorted { ($0.distance, $0.rank) < ($1.distance, $1.rank) }
        let edgeOrder = edges.map { (from: rank[$0.key.from]!, to: rank[$0.key.to]!, key: $0.key, value: $0.value) }
            .sorted { ($0.from, $0.to) < ($1.from, $1.to) }
        return LineageGraph(
            root: root.name, direction: direction, depth: depth,
            nodes: nodeOrder.map { LineageGraph.Node(name: names[$0.key]!, distance: $0.distance) },
            edges: edgeOrder.map { edge in
                LineageGraph.Edge(from: names[edge.key.from]!, to: names[edge.key.to]!, runs: edge.value.runs.count,
                    lastCompleted: EventStamp(edge.value.last))
            })
    }
}
