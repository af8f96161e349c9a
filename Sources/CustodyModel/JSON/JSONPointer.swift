/// An RFC 6901 JSON pointer, built up while walking a document so that errors can name the exact field
/// (`/run/facets/custody_processing/legalBasis`).
public struct JSONPointer: Sendable, Equatable, CustomStringConvertible {
    public private(set) var tokens: [String]

    public init(_ tokens: [String] = []) {
        self.tokens = tokens
    }

    public static let root = JSONPointer()

    public func appending(_ key: String) -> JSONPointer {
        JSONPointer(tokens + [key])
    }

    public func appending(_ index: Int) -> JSONPointer {
        JSONPointer(tokens + [String(index)])
    }

    /// The pointer text; `""` is the whole document.
    public var description: String {
        tokens.map { "/" + $0.replacingTildeAndSlash() }.joined()
    }
}

extension String {
    fileprivate func replacingTildeAndSlash() -> String {
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
