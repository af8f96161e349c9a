import ArgumentParser
import CustodyLineage
import CustodyLog

struct LineageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "The lineage graph around a dataset or job: what feeds it and what it feeds.",
        discussion: """
            NODE is dataset:<namespace>:<name>, job:<namespace>:<name>, or a dataset name that is unique. Only completed runs count: a failed run moved nothing. Depth counts dataset hops.

            Example:  custody lineage dataset:postgres://crm-db:5432:crm.customers --direction down --depth 3
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The dataset or job.", valueName: "node"))
    var node: String

    @Option(help: ArgumentHelp("up, down or both.", valueName: "direction"))
    var direction: String = "both"

    @Option(help: ArgumentHelp("How many dataset hops to follow.", valueName: "n"))
    var depth: Int = 10

    func validate() throws {
        guard depth >= 1 else { throw ValidationError("--depth must be 1 or more") }
        guard LineageGraph.Direction(rawValue: direction) != nil else {
            throw ValidationError("--direction must be up, down or both, not '\(direction)'")
        }
    }

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let graph = try globals.lineage().graph(around: node, direction: LineageGraph.Direction(rawValue: direction) ?? .both, depth: depth)
        let context = globals.context
        switch format {
        case .json:
            context.print(JSONOutput.object([
                ("root", LineageJSON.node(graph.root)), ("direction", .string(graph.direction.rawValue)), ("depth", .number(graph.depth)),
                ("nodes", .array(graph.nodes.map { .object([("id", LineageJSON.node($0.name)), ("distance", .number($0.distance))]) })),
                ("edges", .array(graph.edges.map { edge in
                    .object([("from", LineageJSON.node(edge.from)), ("to", LineageJSON.node(edge.to)), ("runs", .number(edge.runs)),
                             ("lastCompleted", LineageJSON.stamp(edge.lastCompleted))])
                })),
            ]))
        default:
            var out = "\(graph.root.id)\n"
            for (title, sign) in [("upstream", -1), ("downstream", 1)] where graph.direction == .both || graph.direction.rawValue == (sign < 0 ? "up" : "down") {
                let nodes = graph.nodes.filter { $0.distance * sign > 0 }.sorted { (abs($0.distance), $0.name) < (abs($1.distance), $1.name) }
                out += "\n\(title) (\(counted(nodes.filter { $0.name.kind == .dataset }.count, "dataset")), \(counted(nodes.filter { $0.name.kind == .job }.count, "job"))):\n"
                if nodes.isEmpty { out += "  none\n" }
                for node in nodes {
                    // Upstream, a node points toward the root (a job writes, a dataset is read by); downstream,
                    // it is pointed to (a job reads, a dataset is written by).
                    let relation = node.name.kind == .job ? (sign < 0 ? "writes" : "reads") : (sign < 0 ? "read by" : "written by")
                    let neighbours = graph.edges.filter { sign < 0 ? $0.from == node.name : $0.to == node.name }.map { sign < 0 ? $0.to : $0.from }
                    out += "  \(abs(node.distance))  \(node.name.id)  \(relation) \(neighbours.map(\.name).sorted().joined(separator: ", "))\n"
                }
            }
            context.standardOutput(out)
        }
    }
}
