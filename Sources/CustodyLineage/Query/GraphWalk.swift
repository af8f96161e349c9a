import CustodyLog
import GRDB

/// Walks the graph of completed runs from a dataset or job, `depth` dataset hops each way, in one
/// recursive SQL statement per direction: SQLite follows the edges without a round trip per node.
/// Each (dataset, run, dataset, hop) step is produced once, so a cycle ends at the depth limit.
struct GraphWalk {
    let context: QueryContext
    let depth: Int

    private struct EdgeKey: Hashable {
        let from: NodeName
        let to: NodeName
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
        SELECT s.from_id, s.run_id, s.to_id, s.hop, r.job_id, r.terminal_type, r.terminal_time, r.terminal_seq
        FROM step s JOIN lineage_run r ON r.id = s.run_id
        """

    func walk(from root: (kind: NodeName.Kind, id: Int64, name: NodeName), direction: LineageGraph.Direction) throws -> LineageGraph {
        var distances: [NodeName: Int] = [root.name: 0]
        var edges: [EdgeKey: (runs: Set<Int64>, last: Moment)] = [:]
        func addEdge(_ from: NodeName, _ to: NodeName, run: Int64, at: Moment) {
            let key = EdgeKey(from: from, to: to)
            var entry = edges[key] ?? ([], at)
            entry.runs.insert(run)
            entry.last = max(entry.last, at)
            edges[key] = entry
        }
        func note(_ name: NodeName, _ distance: Int) {
            if let known = distances[name], abs(known) <= abs(distance) { return }
            distances[name] = distance
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
                        let name = try context.datasetName(dataset)
                        step == .up ? addEdge(name, root.name, run: run.id, at: completion) : addEdge(root.name, name, run: run.id, at: completion)
                        note(name, sign)
                        seeds.append((dataset, 1))
                    }
                }
            }
            for seed in seeds where seed.hop < depth {
                // `to` is nil for a run with nothing on its far side (a collection with no inputs).
                var rows: [(from: Int64, run: Int64, to: Int64?, hop: Int, job: Int64, terminal: Moment?)] = []
                try statement.forEachRow(
                    .integer(Int(seed.dataset)), .integer(seed.hop), .text(toward), .text(away), .integer(context.horizon.knownSize),
                    .integer(Int(context.horizon.asOf)), .integer(depth)
                ) {
                    guard !statement.isNull(0) else { return }
                    let terminal = statement.isNull(6) ? nil : Moment(time: Int64(statement.int(6)), seq: statement.int(7))
                    rows.append((Int64(statement.int(0)), Int64(statement.int(1)), statement.isNull(2) ? nil : Int64(statement.int(2)), statement.int(3),
                                 Int64(statement.int(4)), terminal))
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
                    let job = try context.jobName(row.job)
                    let near = try context.datasetName(row.from)
                    note(job, sign * row.hop)
                    step == .up ? addEdge(job, near, run: row.run, at: completion) : addEdge(near, job, run: row.run, at: completion)
                    guard let to = row.to else { continue }
                    let far = try context.datasetName(to)
                    note(far, sign * row.hop)
                    step == .up ? addEdge(far, job, run: row.run, at: completion) : addEdge(job, far, run: row.run, at: completion)
                }
            }
        }
        return LineageGraph(
            root: root.name, direction: direction, depth: depth,
            nodes: distances.map { LineageGraph.Node(name: $0.key, distance: $0.value) }
                .sorted { ($0.distance, $0.name) < ($1.distance, $1.name) },
            edges: edges.map { LineageGraph.Edge(from: $0.key.from, to: $0.key.to, runs: $0.value.runs.count, lastCompleted: EventStamp($0.value.last)) }
                .sorted { ($0.from, $0.to) < ($1.from, $1.to) })
    }
}
