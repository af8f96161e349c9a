/// A left-to-right diagram of where data went, laid out for an inline SVG: each node in a column by its
/// distance from the data's first dataset, edges from the dataset a run read to the one it wrote or to the
/// recipient it disclosed to. Labels are plain text; the template escapes them.
public struct LineageDiagram: Sendable {
    public let width: Int
    public let height: Int
    public let nodes: [Node]
    public let edges: [Edge]
    /// Whether there is anything to draw (templates read stored properties only).
    public let hasNodes: Bool

    public struct Node: Sendable {
        public let x: Int
        public let y: Int
        public let label: String
        /// The whole name, shown as the node's tooltip.
        public let title: String
        /// `dataset`, `recipient` or `erased`: the template's CSS class.
        public let style: String
        public let textX: Int
        public let textY: Int
    }

    public struct Edge: Sendable {
        public let x1: Int
        public let y1: Int
        public let x2: Int
        public let y2: Int
    }

    static let nodeWidth = 210, nodeHeight = 40, columnGap = 60, rowGap = 18, margin = 10, labelLength = 30

    /// Lays out `nodes` (id, label, style) and `links` (from id, to id): a node's column is one more
    /// than the furthest of its predecessors; nodes keep their given order within a column.
    init(nodes: [(id: String, label: String, style: String)], links: [(from: String, to: String)]) {
        var column: [String: Int] = [:]
        let predecessors = Dictionary(grouping: links, by: \.to).mapValues { $0.map(\.from) }
        // Longest path from a source, bounded by the node count so a cycle cannot loop forever.
        for _ in 0..<max(1, nodes.count) {
            var changed = false
            for node in nodes {
                let depth = (predecessors[node.id] ?? []).compactMap { column[$0].map { $0 + 1 } }.max() ?? 0
                if column[node.id] != depth, depth < nodes.count {
                    column[node.id] = depth
                    changed = true
                }
            }
            if !changed { break }
        }
        var rows: [Int: Int] = [:]
        var placed: [String: (x: Int, y: Int)] = [:]
        var laidOut: [Node] = []
        for node in nodes {
            let col = column[node.id] ?? 0
            let row = rows[col, default: 0]
            rows[col] = row + 1
            let x = Self.margin + col * (Self.nodeWidth + Self.columnGap)
            let y = Self.margin + row * (Self.nodeHeight + Self.rowGap)
            placed[node.id] = (x, y)
            let label = node.label.count > Self.labelLength ? String(node.label.prefix(Self.labelLength - 1)) + "…" : node.label
            laidOut.append(Node(x: x, y: y, label: label, title: node.label, style: node.style, textX: x + 10, textY: y + 25))
        }
        edges = links.compactMap { link in
            guard let from = placed[link.from], let to = placed[link.to] else { return nil }
            return Edge(x1: from.x + Self.nodeWidth, y1: from.y + Self.nodeHeight / 2, x2: to.x, y2: to.y + Self.nodeHeight / 2)
        }
        self.nodes = laidOut
        hasNodes = !laidOut.isEmpty
        let columns = (column.values.max() ?? 0) + 1
        width = nodes.isEmpty ? 0 : 2 * Self.margin + columns * Self.nodeWidth + (columns - 1) * Self.columnGap
        height = nodes.isEmpty ? 0 : 2 * Self.margin + (rows.values.max() ?? 0) * (Self.nodeHeight + Self.rowGap)
    }
}
