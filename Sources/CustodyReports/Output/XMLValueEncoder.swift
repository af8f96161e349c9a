/// Writes an encodable value straight into an XML stream, element by element, exactly as `XMLReportWriter`
/// writes the `ReportNode` tree of the same value: members become elements named by their keys, list
/// items elements named by the list's singular, scalars text, `nil` nothing. An audit trail writes
/// hundreds of thousands of entries; building a tree for each and then walking it was about a third of the
/// time it took.
///
/// Report models are synthesized `Encodable` structs, which fill each container in order. A nested
/// container is written where it is asked for and closed when its parent goes on or ends, so one filled
/// after its parent moved on would land in the wrong place: `ReportNode(encoding:)` is the way for such
/// values.
final class XMLValueEncoder {
    let stream: XMLStream
    /// How many elements this encoder has open in the stream.
    private var depth = 0
    /// The first error of a call that cannot throw (a nested container's element could not be started).
    private var failure: (any Error)?
    /// The item name of each list name met (`ReportNode.itemName(ofList:)`): an audit trail names a few
    /// lists a million times.
    private var itemNames: [String: String] = [:]

    init(stream: XMLStream) {
        self.stream = stream
    }

    /// Writes the content of `value` into the element the caller has just started, named `element`, and
    /// closes what it opened inside it.
    func writeContent(of value: some Encodable, element: String) throws {
        failure = nil
        try encode(value, element: element, depth: 0)
        try close(to: 0)
        if let failure { throw failure }
    }

    func itemName(ofList list: String) -> String {
        if let known = itemNames[list] { return known }
        let name = ReportNode.itemName(ofList: list)
        itemNames[list] = name
        return name
    }

    /// Encodes `value` into the element at `depth` (named `element`): scalars as its text, anything else
    /// through its `encode(to:)`.
    fileprivate func encode(_ value: some Encodable, element: String, depth: Int) throws {
        switch value {
        case let text as String:
            try close(to: depth)
            try stream.text(text)
        case let number as Int:
            try close(to: depth)
            try stream.text(String(number))
        case let flag as Bool:
            try close(to: depth)
            try stream.text(flag ? "true" : "false")
        case let content as any XMLContent:
            try close(to: depth)
            try content.writeContent(to: XMLContentWriter(encoder: self, depth: depth))
        default:
            try value.encode(to: ElementEncoder(writer: self, element: element, depth: depth))
        }
    }

    /// Writes `value` as a member element named `name` of the element at `parent`, as a keyed container does.
    func writeMember(_ value: some Encodable, named name: String, under parent: Int) throws {
        let child = try open(name, under: parent)
        try encode(value, element: name, depth: child)
        try close(to: parent)
    }

    /// Starts a child element of the element at `parent`, closing whatever is still open inside that parent.
    fileprivate func open(_ name: String, under parent: Int) throws -> Int {
        try close(to: parent)
        try stream.start(name)
        depth += 1
        return depth
    }

    fileprivate func close(to target: Int) throws {
        while depth > target {
            try stream.end()
            depth -= 1
        }
    }

    /// `open` for a call that cannot throw: the error is kept for `writeContent` to throw.
    fileprivate func openKeepingFailure(_ name: String, under parent: Int) -> Int {
        do { return try open(name, under: parent) } catch {
            if failure == nil { failure = error }
            return depth
        }
    }

    /// The `Encoder` of the value that fills one element.
    private struct ElementEncoder: Encoder {
        let writer: XMLValueEncoder
        let element: String
        let depth: Int
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keyed<Key>(writer: writer, element: element, depth: depth))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            Unkeyed(writer: writer, item: writer.itemName(ofList: element), depth: depth)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            Single(writer: writer, element: element, depth: depth)
        }
    }

    /// Members of the element at `depth`, each an element named by its key.
    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let writer: XMLValueEncoder
        let element: String
        let depth: Int
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws {}

        mutating func encode(_ value: some Encodable, forKey key: Key) throws {
            try writer.writeMember(value, named: key.stringValue, under: depth)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(writer: writer, element: key.stringValue,
                                                    depth: writer.openKeepingFailure(key.stringValue, under: depth)))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            Unkeyed(writer: writer, item: writer.itemName(ofList: key.stringValue),
                    depth: writer.openKeepingFailure(key.stringValue, under: depth))
        }

        mutating func superEncoder() -> any Encoder { ElementEncoder(writer: writer, element: element, depth: depth) }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            ElementEncoder(writer: writer, element: key.stringValue, depth: writer.openKeepingFailure(key.stringValue, under: depth))
        }
    }

    /// Items of the list element at `depth`, each an element named `item`.
    private struct Unkeyed: UnkeyedEncodingContainer {
        let writer: XMLValueEncoder
        let item: String
        let depth: Int
        var codingPath: [any CodingKey] { [] }
        private(set) var count = 0

        init(writer: XMLValueEncoder, item: String, depth: Int) {
            self.writer = writer
            self.item = item
            self.depth = depth
        }

        mutating func encodeNil() throws {}

        mutating func encode(_ value: some Encodable) throws {
            count += 1
            let child = try writer.open(item, under: depth)
            try writer.encode(value, element: item, depth: child)
            try writer.close(to: depth)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            count += 1
            return KeyedEncodingContainer(Keyed<NestedKey>(writer: writer, element: item, depth: writer.openKeepingFailure(item, under: depth)))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            count += 1
            return Unkeyed(writer: writer, item: writer.itemName(ofList: item), depth: writer.openKeepingFailure(item, under: depth))
        }

        mutating func superEncoder() -> any Encoder { ElementEncoder(writer: writer, element: item, depth: depth) }
    }

    /// The element at `depth` itself, filled by one value.
    private struct Single: SingleValueEncodingContainer {
        let writer: XMLValueEncoder
        let element: String
        let depth: Int
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws {}

        mutating func encode(_ value: some Encodable) throws {
            try writer.encode(value, element: element, depth: depth)
        }
    }
}
