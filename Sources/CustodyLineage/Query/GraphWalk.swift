import CustodyLog
import GRDB

/// Walks the graph of completed runs from a dataset or job, `depth` dataset hops each way, breadth first:
/// one statement per hop reads the runs around the whole frontier, and each dataset is expanded once per
/// direction, at its shortest distance, so loops and diamonds cost nothing extra and a cycle ends.
struct GraphWalk {
    let context: QueryContext
    let depth: Int

    /// A run counts if its latest visible terminal event is COMPLETE. The row keeps the latest terminal
    /// event of all; only when the horizon hides it are the run's events read (the same rule as
    /// `QueryContext.run`, which the propagation tests hold both to). `?2` is the log size the horizon
    /// knows, `?3` its event time.
    static let completed = """
        (CASE WHEN r.terminal_seq < ?2 AND r.terminal_time <= ?3 THEN r.terminal_type = 'COMPLETE'
         ELSE (SELECT e.event_type = 'COMPLETE' FROM lineage_run_event e
               WHERE e.run_id = r.id AND e.event_type IN ('COMPLETE', 'FAIL', 'ABORT') AND e.seq < ?2 AND e.event_time <= ?3
               ORDER BY e.event_time DESC, e.seq DESC LIMIT 1) END)
        """

    /// One hop from every dataset of the frontier (`?1`, a JSON list of ids): the runs that touched it
    /// toward the walk (`?4`: `out`, wrote it, going up; `in`, read it, going down) and the datasets on
    /// their far side (`?5`), if any.
    static let hop = """
        SELECT t.dataset_id, t.run_id, a.dataset_id, r.job_id, r.terminal_time, r.terminal_seq
        FROM json_each(?1) f
        JOIN lineage_io t ON t.dataset_id = f.value AND t.direction = ?4 AND t.seq < ?2
        JOIN lineage_run r ON r.id = t.run_id
        LEFT JOIN lineage_io a ON a.run_id = t.run_id AND a.direction = ?5 AND a.seq < ?2
        WHERE \(completed)
        """

    static let datasetNames = "SELECT d.id, d.namespace, d.name FROM json_each(?) f JOIN lineage_dataset d ON d.id = f.value"
    static let jobNames = "SELECT j.id, j.namespace, j.name FROM json_each(?) f JOIN lineage_job j ON j.id = f.value"

    func walk(from root: (kind: NodeName.Kind, id: Int64, name: NodeName), direction: LineageGraph.Direction) throws -> LineageGraph {
        var nodes = Nodes()
        let rootIndex = nodes.index(root.kind, root.id)
        var links: [Link] = []
        let hop = try RawStatement(cached: context.db, sql: Self.hop)
        for step in [LineageGraph.Direction.up, .down] where direction == .both || direction == step {
            let up = step == .up
            let toward = up ? "out" : "in", away = up ? "in" : "out"
            // One step away from the root, as an edge in the direction data moved: toward the root going up.
            func edge(_ nearer: Int, _ farther: Int, run: Int64, at completion: Moment) {
                links.append(Link(from: up ? farther : nearer, to: up ? nearer : farther, run: run, completion: completion))
            }
            var expanded: Set<Int64> = []
            var frontier: [Int64] = []
            var hops = 0
            if root.kind == .dataset {
                frontier = [root.id]
                expanded.insert(root.id)
            } else {
                // A job's walk starts one hop out, at the datasets its completed runs touched.
                hops = 1
                for runID in try Int64.fetchAll(context.db, sql: "SELECT id FROM lineage_run WHERE job_id = ?", arguments: [root.id]) {
                    guard let run = try context.run(runID), let completion = run.completion else { continue }
                    for dataset in try context.datasets(of: run.id, away) {
                        let index = nodes.index(.dataset, dataset)
                        edge(rootIndex, index, run: run.id, at: completion)
                        nodes.reach(index, up: up, hops: 1)
                        if expanded.insert(dataset).inserted { frontier.append(dataset) }
                    }
                }
            }
            while hops < depth, !frontier.isEmpty {
                var rows: [(near: Int64, run: Int64, far: Int64?, job: Int64, terminal: Moment?)] = []
                try hop.forEachRow(
                    QueryContext.idList(frontier), .integer(context.horizon.knownSize), .integer(Int(context.horizon.asOf)),
                    .text(toward), .text(away)
                ) {
                    rows.append((
                        Int64(hop.int(0)), Int64(hop.int(1)), hop.isNull(2) ? nil : Int64(hop.int(2)), Int64(hop.int(3)),
                        hop.isNull(4) ? nil : Moment(time: Int64(hop.int(4)), seq: hop.int(5))))
                }
                hops += 1
                var next: [Int64] = []
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
                    let job = nodes.index(.job, row.job)
                    nodes.reach(job, up: up, hops: hops)
                    edge(nodes.index(.dataset, row.near), job, run: row.run, at: completion)
                    guard let farID = row.far else { continue }
                    let far = nodes.index(.dataset, farID)
                    nodes.reach(far, up: up, hops: hops)
                    edge(job, far, run: row.run, at: completion)
                    if expanded.insert(farID).inserted { next.append(farID) }
                }
                frontier = next
            }
        }
        let names = try nodes.names(root: rootIndex, rootName: root.name, context: context)
        let rank = Self.ranks(names)
        return LineageGraph(
            root: root.name, direction: direction, depth: depth,
            nodes: nodes.ordered(by: rank, root: rootIndex).map { LineageGraph.Node(name: names[$0.node], distance: $0.distance) },
            edges: Link.edges(links, ordered: rank, names: names))
    }
}

extension GraphWalk {
    /// The nodes a walk met, numbered in order of discovery, with their shortest distance on each side.
    private struct Nodes {
        private(set) var kinds: [NodeName.Kind] = []
        private(set) var rowIDs: [Int64] = []
        private var datasets: [Int64: Int] = [:]
        private var jobs: [Int64: Int] = [:]
        /// Dataset hops upstream and downstream; 0 where that side never reached the node.
        private var upstream: [Int] = []
        private var downstream: [Int] = []

        mutating func index(_ kind: NodeName.Kind, _ id: Int64) -> Int {
            if let known = kind == .dataset ? datasets[id] : jobs[id] { return known }
            let index = kinds.count
            kinds.append(kind)
            rowIDs.append(id)
            upstream.append(0)
            downstream.append(0)
            if kind == .dataset { datasets[id] = index } else { jobs[id] = index }
            return index
        }

        mutating func reach(_ node: Int, up: Bool, hops: Int) {
            if up {
                if upstream[node] == 0 || hops < upstream[node] { upstream[node] = hops }
            } else {
                if downstream[node] == 0 || hops < downstream[node] { downstream[node] = hops }
            }
        }

        /// Every node's name, read in one statement per kind.
        func names(root: Int, rootName: NodeName, context: QueryContext) throws -> [NodeName] {
            var names = [NodeName](repeating: rootName, count: kinds.count)
            for kind in [NodeName.Kind.dataset, .job] {
                let wanted = rowIDs.indices.filter { kinds[$0] == kind && $0 != root }
                guard !wanted.isEmpty else { continue }
                let index = kind == .dataset ? datasets : jobs
                let statement = try RawStatement(cached: context.db, sql: kind == .dataset ? GraphWalk.datasetNames : GraphWalk.jobNames)
                try statement.forEachRow(QueryContext.idList(wanted.map { rowIDs[$0] })) {
                    names[index[Int64(statement.int(0))]!] = NodeName(kind, namespace: statement.text(1) ?? "", name: statement.text(2) ?? "")
                }
            }
            return names
        }

        /// The root, then each side's nodes, by distance (upstream negative) and then by id. A node both
        /// upstream and downstream (a loop) is listed on both sides; the root only as itself.
        func ordered(by rank: [Int], root: Int) -> [(node: Int, distance: Int)] {
            var listed: [(node: Int, distance: Int)] = [(root, 0)]
            for node in kinds.indices where node != root {
                if upstream[node] > 0 { listed.append((node, -upstream[node])) }
                if downstream[node] > 0 { listed.append((node, downstream[node])) }
            }
            return listed.sorted { ($0.distance, rank[$0.node]) < ($1.distance, rank[$1.node]) }
        }
    }

    /// One run's step between two nodes; `edges` folds the steps between the same two nodes into one edge.
    private struct Link {
        let from: Int
        let to: Int
        let run: Int64
        let completion: Moment

        static func edges(_ links: [Link], ordered rank: [Int], names: [NodeName]) -> [LineageGraph.Edge] {
            let sorted = links.sorted { (rank[$0.from], rank[$0.to], $0.run) < (rank[$1.from], rank[$1.to], $1.run) }
            var edges: [LineageGraph.Edge] = []
            var start = sorted.startIndex
            while start < sorted.endIndex {
                let first = sorted[start]
                var end = start, runs = 0, last = first.completion
                var previousRun: Int64?
                while end < sorted.endIndex, sorted[end].from == first.from, sorted[end].to == first.to {
                    if sorted[end].run != previousRun { runs += 1 }
                    previousRun = sorted[end].run
                    last = max(last, sorted[end].completion)
                    end += 1
                }
                edges.append(LineageGraph.Edge(from: names[first.from], to: names[first.to], runs: runs, lastCompleted: EventStamp(last)))
                start = end
            }
            return edges
        }
    }

    /// Each node's position in the order of node ids (`dataset:<namespace>:<name>`): every id is built and
    /// compared once, and the walk's sorts then compare integers.
    private static func ranks(_ names: [NodeName]) -> [Int] {
        var rank = [Int](repeating: 0, count: names.count)
        for (position, node) in names.indices.map({ (node: $0, id: names[$0].id) }).sorted(by: { $0.id < $1.id }).map(\.node).enumerated() {
            rank[node] = position
        }
        return rank
    }
}
