@testable import CustodyLineage
import CustodyLog
import CustodyPack
import CustodyTestSupport
import Foundation
import Testing

/// `custody lineage` answers from a walk that expands each dataset once, at its shortest distance. These
/// random graphs (loops, diamonds, rewrites, runs that fail after completing) hold its answer to the
/// definition, worked out here from the events alone: the datasets and jobs within `depth` dataset hops
/// along completed runs, each at its shortest distance, and every edge with the number of runs that made it.
struct GraphWalkTests {
    private typealias E = LineageEvents

    private struct RunFacts {
        var job = ""
        var inputs: Set<String> = []
        var outputs: Set<String> = []
        /// The latest terminal event: (event time, sequence number, type).
        var terminal: (time: String, seq: Int, type: String)?
        var completed: Bool { terminal?.type == "COMPLETE" }
    }

    private static func stream(seed: UInt64) -> (lines: [String], runs: [Int: RunFacts]) {
        var random = SeededGenerator(seed: seed)
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        let datasets = (0..<9).map { "g\($0)" }, jobs = ["j0", "j1", "j2", "j3", "j4"]
        var lines: [String] = []
        var runs: [Int: RunFacts] = [:]
        for seq in 0..<45 {
            let time = E.time(Int(random.next() % 20) + 1, Int(random.next() % 4))
            let type = pick(["COMPLETE", "COMPLETE", "COMPLETE", "START", "FAIL", "ABORT"])
            // Mostly new runs; some later events of earlier runs (which may fail them after completing).
            let run = runs.isEmpty || random.next() % 4 != 0 ? runs.count + 1 : Int(random.next() % UInt64(runs.count)) + 1
            var facts = runs[run] ?? RunFacts(job: pick(jobs))
            let inputs = (0..<(random.next() % 3)).map { _ in pick(datasets) }
            let outputs = (0..<(random.next() % 3)).map { _ in pick(datasets) }
            facts.inputs.formUnion(inputs)
            facts.outputs.formUnion(outputs)
            if type != "START", facts.terminal.map({ ($0.time, $0.seq) < (time, seq) }) ?? true {
                facts.terminal = (time, seq, type)
            }
            runs[run] = facts
            lines.append(E.run(facts.job, type, run: run, at: time, inputs: inputs.map { DatasetEntry($0) },
                               outputs: outputs.map { DatasetEntry($0) }))
        }
        return (lines, runs)
    }

    /// The graph by its definition, as lines that name nodes and edges by id, in the walk's order.
    private static func expected(root: NodeName, depth: Int, runs: [Int: RunFacts], datasetNamespace: String) -> (nodes: [String], edges: [String]) {
        func dataset(_ name: String) -> String { NodeName(.dataset, namespace: datasetNamespace, name: name).id }
        func job(_ name: String) -> String { NodeName(.job, namespace: "crm", name: name).id }
        var listed: [(distance: Int, id: String)] = [(0, root.id)]
        // The latest completion is the latest by event time, then by sequence number.
        var edges: [[String]: (runs: Set<Int>, last: (time: String, seq: Int))] = [:]
        func edge(_ from: String, _ to: String, _ run: Int, _ terminal: (time: String, seq: Int)) {
            var entry = edges[[from, to]] ?? ([], terminal)
            entry.runs.insert(run)
            if entry.last < terminal { entry.last = terminal }
            edges[[from, to]] = entry
        }
        let completed = runs.filter(\.value.completed)
        for up in [true, false] {
            var distance: [String: Int] = [root.id: 0]
            var frontier: [String] = []
            if root.kind == .dataset {
                frontier = [root.id]
            } else {
                for (number, run) in completed where job(run.job) == root.id {
                    for name in up ? run.inputs : run.outputs {
                        up ? edge(dataset(name), root.id, number, (run.terminal!.time, run.terminal!.seq)) : edge(root.id, dataset(name), number, (run.terminal!.time, run.terminal!.seq))
                        if distance[dataset(name)] == nil {
                            distance[dataset(name)] = 1
                            frontier.append(dataset(name))
                        }
                    }
                }
            }
            var hops = root.kind == .dataset ? 0 : 1
            while hops < depth, !frontier.isEmpty {
                hops += 1
                var next: [String] = []
                for near in frontier {
                    for (number, run) in completed where (up ? run.outputs : run.inputs).map(dataset).contains(near) {
                        let seq = (time: run.terminal!.time, seq: run.terminal!.seq)
                        up ? edge(job(run.job), near, number, seq) : edge(near, job(run.job), number, seq)
                        if distance[job(run.job)] == nil { distance[job(run.job)] = hops }
                        for name in up ? run.inputs : run.outputs {
                            up ? edge(dataset(name), job(run.job), number, seq) : edge(job(run.job), dataset(name), number, seq)
                            if distance[dataset(name)] == nil {
                                distance[dataset(name)] = hops
                                next.append(dataset(name))
                            }
                        }
                    }
                }
                frontier = next
            }
            listed += distance.filter { $0.key != root.id }.map { (up ? -$0.value : $0.value, $0.key) }
        }
        return (listed.sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }.map { "\($0.distance) \($0.id)" },
                edges.sorted { ($0.key[0], $0.key[1]) < ($1.key[0], $1.key[1]) }
                    .map { "\($0.key[0]) > \($0.key[1]) \($0.value.runs.count) \($0.value.last.seq)" })
    }

    @Test(arguments: 0..<16)
    func theWalkFindsWhatTheDefinitionSays(seed: UInt64) throws {
        var test = try TestStore(seed: seed)
        let (lines, runs) = Self.stream(seed: seed)
        try test.ingest(lines, projectors: [LineageProjector()])
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn())
        let namespace = DatasetEntry("g0").namespace
        var roots = (0..<9).map { NodeName(.dataset, namespace: namespace, name: "g\($0)") }
        roots += (0..<5).map { NodeName(.job, namespace: "crm", name: "j\($0)") }
        var walked = 0
        for root in roots {
            guard (try? lineage.resolve(root.id)) != nil else { continue }
            walked += 1
            for depth in [1, 2, 4, 20] {
                let graph = try lineage.graph(around: root.id, direction: .both, depth: depth)
                let expected = Self.expected(root: root, depth: depth, runs: runs, datasetNamespace: namespace)
                #expect(graph.nodes.map { "\($0.distance) \($0.name.id)" } == expected.nodes, "\(root.id) to \(depth) hops")
                #expect(graph.edges.map { "\($0.from.id) > \($0.to.id) \($0.runs) \($0.lastCompleted.seq)" } == expected.edges,
                        "\(root.id) to \(depth) hops")
            }
        }
        #expect(walked > 5)
    }
}
