/// An RFC 6901 JSON pointer, built up while walking a document so that errors can name the exact field
/// (`/run/facets/custody_processing/legalBasis`).
///
/// Stored as a chain of parent links, so appending a token while walking costs one small allocation
/// rather than a copy of the whole path.
public struct JSONPointer: Sendable, Equatable, CustomStringConvertible {
    private final class Node: Sendable {
        let parent: Node?
        let token: String

        init(parent: Node?, token: String) {
            self.parent = parent
            self.token = token
        }
    }

    private let last: Node?

    private init(last: Node?) {
        self.last = last
    }

    public init(_ tokens: [String] = []) {
        var node: Node? = nil
        for token in tokens { node = Node(parent: node, token: token) }
        last = node
    }

    public static let root = JSONPointer()

    /// The reference tokens from the root down.
    public var tokens: [String] {
        var result: [String] = []
        var node = last
        while let current = node {
            result.append(current.token)
            node = current.parent
        }
        return result.reversed()
    }

    public func appending(_ key: String) -> JSONPointer {
        JSONPointer(last: Node(parent: last, token: key))
    }

    public func appending(_ index: Int) -> JSONPointer {
        appending(String(index))
    }

    /// The pointer text; `""` is the whole document.
    public var description: String {
        tokens.map { "/" + $0.escapedForPointer() }.joined()
    }

    public static func == (lhs: JSONPointer, rhs: JSONPointer) -> Bool {
        lhs.tokens == rhs.tokens
    }
}

extension String {
    fileprivate func escapedForPointer() -> String {
        var result = ""
        for character in self {
            switch character {
            case "~": result += "~0"
            case "/": result += "~1"
            default: result.append(character)
            }
        }
        return result
    }
}
