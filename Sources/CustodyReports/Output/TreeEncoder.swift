/// An `Encoder` that builds a `ReportNode` tree. Containers write into shared boxes, because `Encodable`
/// may ask for a nested container and fill it after its parent moved on.
final class TreeEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let root: Box

    init(codingPath: [any CodingKey], root: Box = Box()) {
        self.codingPath = codingPath
        self.root = root
    }

    /// One value of the tree under construction. Members and items are kept in the box's own arrays, which
    /// grow in place (an array inside an enum payload would be copied on every append).
    final class Box {
        enum Kind {
            case empty, object, list
            case scalar(ReportNode)
        }
        var kind = Kind.empty
        private var members: [(String, Box)] = []
        private var items: [Box] = []

        var node: ReportNode {
            switch kind {
            case .empty: .object([])
            case .object: .object(members.map { ($0.0, $0.1.node) })
            case .list: .list(items.map(\.node))
            case .scalar(let node): node
            }
        }

        var count: Int { items.count }

        func member(_ key: String) -> Box {
            let box = Box()
            kind = .object
            members.append((key, box))
            return box
        }

        func appendItem() -> Box {
            let box = Box()
            kind = .list
            items.append(box)
            return box
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .empty = root.kind { root.kind = .object }
        return KeyedEncodingContainer(Keyed<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .empty = root.kind { root.kind = .list }
        return Unkeyed(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }

    /// Encodes `value` into `box`: scalars directly, anything else through a nested encoder.
    static func encode(_ value: some Encodable, into box: Box, codingPath: [any CodingKey]) throws {
        switch value {
        case let text as String: box.kind = .scalar(.text(text))
        case let number as Int: box.kind = .scalar(.number(number))
        case let flag as Bool: box.kind = .scalar(.flag(flag))
        default: try value.encode(to: TreeEncoder(codingPath: codingPath, root: box))
        }
    }

    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: TreeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil(forKey key: Key) throws {}

        mutating func encode(_ value: some Encodable, forKey key: Key) throws {
            try TreeEncoder.encode(value, into: encoder.root.member(key.stringValue), codingPath: codingPath + [key])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            TreeEncoder(codingPath: codingPath + [key], root: encoder.root.member(key.stringValue)).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            TreeEncoder(codingPath: codingPath + [key], root: encoder.root.member(key.stringValue)).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { encoder }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            TreeEncoder(codingPath: codingPath + [key], root: encoder.root.member(key.stringValue))
        }
    }

    private struct Unkeyed: UnkeyedEncodingContainer {
        let encoder: TreeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }
        var count: Int { encoder.root.count }

        mutating func encodeNil() throws {}

        mutating func encode(_ value: some Encodable) throws {
            try TreeEncoder.encode(value, into: encoder.root.appendItem(), codingPath: codingPath)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            TreeEncoder(codingPath: codingPath, root: encoder.root.appendItem()).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            TreeEncoder(codingPath: codingPath, root: encoder.root.appendItem()).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { encoder }
    }

    private struct Single: SingleValueEncodingContainer {
        let encoder: TreeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil() throws {}
        mutating func encode(_ value: some Encodable) throws {
            try TreeEncoder.encode(value, into: encoder.root, codingPath: codingPath)
        }
    }
}
