import CLibXML2

/// Writes a report as XML to a file with libxml2's text writer, element by element: the document is
/// streamed, never built in memory. Every report is in Custody's report namespace.
final class XMLReportWriter: ReportWriter {
    /// The namespace of every report element (the XSDs in `reports/xsd/` target it).
    static let namespace = "urn:custody:report:1"

    /// Freed by `finish`: only freeing the writer closes its file, so the validator reads it whole.
    private var handle: xmlTextWriterPtr?
    private var writer: xmlTextWriterPtr {
        guard let handle else { preconditionFailure("the XML report was written after it was finished") }
        return handle
    }
    private let path: String
    /// For each open element: the item name when it is a list, else nil.
    private var stack: [String?] = []
    private var finished = false

    init(path: String) throws(ReportError) {
        guard let writer = xmlNewTextWriterFilename(path, 0) else {
            throw ReportError(.output, "cannot open \(path) for writing")
        }
        handle = writer
        self.path = path
        xmlTextWriterSetIndent(writer, 1)
        xmlTextWriterSetIndentString(writer, "  ")
        try check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
    }

    deinit {
        if let handle { xmlFreeTextWriter(handle) }
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
        switch node {
        case .object(let members):
            try startElement(element)
            for (key, value) in members { try write(key, value, inList: nil) }
            try check(xmlTextWriterEndElement(writer))
        case .list(let items):
            try startElement(element)
            let item = ReportNode.itemName(ofList: element)
            for value in items { try write(item, value, inList: item) }
            try check(xmlTextWriterEndElement(writer))
        case .text, .number, .flag:
            try startElement(element)
            try check(xmlTextWriterWriteString(writer, XMLText.clean(node.scalarText ?? "")))
            try check(xmlTextWriterEndElement(writer))
        }
    }

    func close() throws(ReportError) {
        guard stack.popLast() != nil else { throw ReportError(.output, "closing an element that is not open") }
        try check(xmlTextWriterEndElement(writer))
    }

    func finish() throws(ReportError) {
        guard !finished else { return }
        finished = true
        try check(xmlTextWriterEndDocument(writer))
        xmlFreeTextWriter(writer)
        handle = nil
    }

    private func write(_ name: String, _ node: ReportNode, inList item: String?) throws(ReportError) {
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
        try check(xmlTextWriterStartElement(writer, name))
        if stack.isEmpty, !finished, !rootWritten {
            rootWritten = true
            try check(xmlTextWriterWriteAttribute(writer, "xmlns", Self.namespace))
        }
    }

    private var rootWritten = false

    private func check(_ result: Int32) throws(ReportError) {
        guard result >= 0 else { throw ReportError(.output, "cannot write the XML report to \(path) (is the disk full?)") }
    }
}
