/// A dataset or a job, named as OpenLineage and Marquez name them: `dataset:<namespace>:<name>` or
/// `job:<namespace>:<name>`.
public struct NodeName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case dataset, job
    }

    public let kind: Kind
    public let namespace: String
    public let name: String

    public init(_ kind: Kind, namespace: String, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// The node id, `dataset:<namespace>:<name>`.
    public var id: String { "\(kind.rawValue):\(namespace):\(name)" }

    public var description: String { id }

    public static func < (lhs: NodeName, rhs: NodeName) -> Bool {
        (lhs.kind.rawValue, lhs.namespace, lhs.name) < (rhs.kind.rawValue, rhs.namespace, rhs.name)
    }
}
