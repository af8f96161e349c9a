/// A report entry that writes its own XML content, exactly as `XMLValueEncoder` writes it through its
/// `Encodable` conformance. For the entries a report lists by the hundred thousand (an audit trail's events
/// and findings): making the encoder's containers for each of their members, and copying the members into
/// them, was most of the time the audit trail took to write.
///
/// Elements are named by the entry's coding keys, so the names cannot drift from its JSON. The order of the
/// members and the treatment of absent ones are the entry's own: `XMLValueEncoderTests` holds each
/// conforming entry to the bytes the generic path writes.
protocol XMLContent: Encodable {
    func writeContent(to writer: XMLContentWriter) throws(ReportError)
}

/// Writes the members of one element for `XMLContent`: an element per member, as the encoder would.
struct XMLContentWriter {
    let encoder: XMLValueEncoder
    /// The depth in `encoder` of the element being filled.
    let depth: Int

    private var stream: XMLStream { encoder.stream }

    /// An element holding `value`; nothing when it is absent.
    func text(_ key: some CodingKey, _ value: String?) throws(ReportError) {
        guard let value else { return }
        try stream.element(key.stringValue, value)
    }

    func number(_ key: some CodingKey, _ value: Int) throws(ReportError) {
        try stream.element(key.stringValue, String(value))
    }

    /// A list element with an item element per value, named as lists' items are (`ReportNode.itemName(ofList:)`).
    func list(_ key: some CodingKey, _ values: [String]) throws(ReportError) {
        try list(key, values) { $0 }
    }

    func list(_ key: some CodingKey, _ values: [Int]) throws(ReportError) {
        try list(key, values) { String($0) }
    }

    private func list<Value>(_ key: some CodingKey, _ values: [Value], text: (Value) -> String) throws(ReportError) {
        let name = key.stringValue
        try stream.start(name)
        if !values.isEmpty {
            let item = encoder.itemName(ofList: name)
            for value in values { try stream.element(item, text(value)) }
        }
        try stream.end()
    }

    /// A member that is rare enough to go the generic way; nothing when it is absent.
    func value(_ key: some CodingKey, _ value: (some Encodable)?) throws(ReportError) {
        guard let value else { return }
        do {
            try encoder.writeMember(value, named: key.stringValue, under: depth)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError(.output, "cannot encode \(key.stringValue): \(error)")
        }
    }
}
