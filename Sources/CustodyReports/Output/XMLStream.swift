import CLibXML2

/// libxml2's text writer on a file, element by element: the one place Custody writes XML, for the
/// reports and the PROV export alike. Text is cleaned of what XML 1.0 cannot carry and escaped by libxml2.
final class XMLStream {
    /// Freed by `finish`: only freeing the writer closes its file, so the validator reads it whole.
    private var handle: xmlTextWriterPtr?
    private let path: String

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

    func start(_ name: String) throws(ReportError) {
        try check(xmlTextWriterStartElement(try writer(), name))
    }

    func attribute(_ name: String, _ value: String) throws(ReportError) {
        try check(xmlTextWriterWriteAttribute(try writer(), name, XMLText.clean(value)))
    }

    func text(_ value: String) throws(ReportError) {
        try check(xmlTextWriterWriteString(try writer(), XMLText.clean(value)))
    }

    func end() throws(ReportError) {
        try check(xmlTextWriterEndElement(try writer()))
    }

    /// An element holding only text.
    func element(_ name: String, _ value: String) throws(ReportError) {
        try start(name)
        try text(value)
        try end()
    }

    /// Ends the document and closes the file.
    func finish() throws(ReportError) {
        guard let handle else { return }
        try check(xmlTextWriterEndDocument(handle))
        xmlFreeTextWriter(handle)
        self.handle = nil
    }

    private func writer() throws(ReportError) -> xmlTextWriterPtr {
        guard let handle else { throw ReportError(.output, "the XML document \(path) was written after it was finished") }
        return handle
    }

    private func check(_ result: Int32) throws(ReportError) {
        guard result >= 0 else { throw ReportError(.output, "cannot write the XML document \(path) (is the disk full?)") }
    }
}
