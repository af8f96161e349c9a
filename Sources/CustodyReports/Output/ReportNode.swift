/// A report, or one piece of it, as a tree of named values: what the XML and JSON writers emit.
///
/// Report models are plain `Encodable` structs; `ReportNode.init(encoding:)` turns one into a tree in
/// the order its properties are declared, so that order is the order of the XML elements and JSON members.
/// An optional that is `nil` is left out.
public indirect enum ReportNode: Sendable, Equatable {
    case object([(String, ReportNode)])
    case list([ReportNode])
    case text(String)
    case number(Int)
    case flag(Bool)

    public static func == (lhs: ReportNode, rhs: ReportNode) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.list(let a), .list(let b)): a == b
        case (.text(let a), .text(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.flag(let a), .flag(let b)): a == b
        default: false
        }
    }

    /// The member named `key` of an object.
    public subscript(key: String) -> ReportNode? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The items of a list.
    public var items: [ReportNode] {
        if case .list(let items) = self { return items }
        return []
    }

    /// The text of a scalar, as XML writes it.
    public var scalarText: String? {
        switch self {
        case .text(let text): text
        case .number(let number): String(number)
        case .flag(let flag): flag ? "true" : "false"
        case .object, .list: nil
        }
    }

    /// The tree of an encodable value.
    public init(encoding value: some Encodable) throws {
        let encoder = TreeEncoder(codingPath: [])
        try value.encode(to: encoder)
        self = encoder.root.node
    }

    /// The element name of one item of a list called `name`: its singular ("recipients" → "recipient", "legalBases" → "legalBasis",
    /// "categories" → "category", "hashes" → "hash"). The XML schemas name list items the same way.
    public static func itemName(ofList name: String) -> String {
        if name.hasSuffix("Bases") { return String(name.dropLast(2)) + "is" }
        if name.hasSuffix("ies") { return String(name.dropLast(3)) + "y" }
        for ending in ["sses", "shes", "ches", "xes"] where name.hasSuffix(ending) { return String(name.dropLast(2)) }
        if name.hasSuffix("s") { return String(name.dropLast()) }
        return name + "Item"
    }
}
