/// Why a lineage question could not be answered.
public struct LineageError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Equatable {
        fileprivate enum Value { case unknownNode, ambiguousNode, badInput }
        fileprivate let value: Value
        /// No dataset or job matches the node id.
        public static let unknownNode = Code(value: .unknownNode)
        /// More than one dataset matches a bare name or an id that splits several ways.
        public static let ambiguousNode = Code(value: .ambiguousNode)
        /// A malformed argument (a node id that is not one).
        public static let badInput = Code(value: .badInput)
    }

    public let code: Code
    public let message: String
    /// Node ids that would have matched, for the user to pick from.
    public let candidates: [String]

    init(_ code: Code, _ message: String, candidates: [String] = []) {
        self.code = code
        self.message = message
        self.candidates = candidates
    }

    public var description: String {
        candidates.isEmpty ? message : message + "\n" + candidates.map { "  " + $0 }.joined(separator: "\n")
    }
}
