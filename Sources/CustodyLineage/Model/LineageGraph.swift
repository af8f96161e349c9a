/// The graph around a dataset or job: datasets and the jobs whose completed runs read or wrote them.
public struct LineageGraph: Sendable {
    public enum Direction: String, Sendable, CaseIterable {
        case up, down, both
    }

    public struct Node: Sendable, Hashable {
        public let name: NodeName
        /// Dataset hops from the root: negative upstream, positive downstream.
        public let distance: Int
    }

    /// `from` reads or writes `to`: a dataset → job edge is a read, a job → dataset edge a write.
    public struct Edge: Sendable, Hashable {
        public let from: NodeName
        public let to: NodeName
        /// Completed runs of the job that made the edge.
        public let runs: Int
        public let lastCompleted: EventStamp
    }

    public let root: NodeName
    public let direction: Direction
    public let depth: Int
    public let nodes: [Node]
    public let edges: [Edge]
}
