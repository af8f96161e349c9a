/// Writes a report as XML, element by element through `XMLStream`: the document is streamed, never built
/// in memory. Every report is in Custody's report namespace.
final class XMLReportWriter: ReportWriter {
    /// The namespace of every report element (the XSDs in `reports/xsd/` target it).
    static let namespace = "urn:custody:report:1"

    private let stream: XMLStream
    /// Writes the values given to `write(_:encoding:)`.
    private let values: XMLValueEncoder
    /// For each open element: the name its children get when it is a list, else nil (named by their own).
    private var stack: [String?] = []
    private var rootWritten = false

    init(stream: XMLStream) {
        self.stream = stream
        values = XMLValueEncoder(stream: stream)
    }

    func open(_ name: String) throws(ReportError) {
        try startElement(elementName(name))
        stack.append(nil)
    }

    func openList(_ name: String) throws(ReportError) {
        let element = elementName(name)
        try startElement(element)
        stack.append(ReportNode.itemName(ofList: element))
    }

    func write(_ name: String, _ node: ReportNode) throws(ReportError) {
        let element = elementName(name)
        try startElement(element)
        switch node {
        case .object(let members):
            for (key, value) in members { try write(key, value, childrenNamed: nil) }
        case .list(let items):
            let item = ReportNode.itemName(ofList: element)
            for value in items { try write(item, value, childrenNamed: item) }
        case .text, .number, .flag:
            try stream.text(node.scalarText ?? "")
        }
        try stream.end()
    }

    /// Writes the value straight into the stream (`XMLValueEncoder`), as `write(_:_:)` writes its tree.
    func write(_ name: String, encoding value: some Encodable) throws(ReportError) {
        let element = elementName(name)
        try startElement(element)
        do {
            try values.writeContent(of: value, element: element)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError(.output, "cannot encode \(name): \(error)")
        }
        try stream.end()
    }

    func close() throws(ReportError) {
        guard stack.popLast() != nil else { throw ReportError(.output, "closing an element that is not open") }
        try stream.end()
    }

    func finish() throws(ReportError) {
        try stream.finish()
    }

    private func write(_ name: String, _ node: ReportNode, childrenNamed item: String?) throws(ReportError) {
        stack.append(item)
        defer { stack.removeLast() }
        try write(name, node)
    }

    /// Inside a list, its item name; elsewhere the name given.
    private func elementName(_ name: String) -> String {
        if let last = stack.last, let item = last { return item }
        return name
    }

    private func startElement(_ name: String) throws(ReportError) {
        try stream.start(name)
        if !rootWritten {
            rootWritten = true
            try stream.attribute("xmlns", Self.namespace)
        }
    }
}
