import CLibXML2

/// libxml2's text writer on a file, element by element: the one place Custody writes XML, for the
/// reports and the PROV export alike. Text is cleaned of what XML 1.0 cannot carry and escaped by libxml2.
final class XMLStream {
    /// Freed by `finish`, or when the stream is let go: only freeing the writer closes its file, and the
    /// validator following the file reads it whole only then.
    private var handle: xmlTextWriterPtr?
    private let path: String

    /// Writes into `file` (through libxml2's output callbacks), which is closed when the document is finished
    /// or the stream let go.
    init(file: GrowingFile) throws(ReportError) {
        path = file.path
        // libxml2 holds the file until it closes its output, which gives it back (`closeGrowingFile`).
        let context = Unmanaged.passRetained(file).toOpaque()
        guard let output = xmlOutputBufferCreateIO(appendToGrowingFile, closeGrowingFile, context, nil) else {
            Unmanaged<GrowingFile>.fromOpaque(context).release()
            file.close()
            throw ReportError(.output, "cannot open \(path) for writing")
        }
        guard let writer = xmlNewTextWriter(output) else {
            xmlOutputBufferClose(output)
            throw ReportError(.output, "cannot open \(path) for writing")
        }
        handle = writer
        xmlTextWriterSetIndent(writer, 1)
        xmlTextWriterSetIndentString(writer, "  ")
        try check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
    }

    deinit {
        if let handle { xmlFreeTextWriter(handle) }
    }

    func start(_ name: String) throws(ReportError) {
        let writer = try writer()
        try check(Self.withXMLChars(name) { xmlTextWriterStartElement(writer, $0) })
    }

    func attribute(_ name: String, _ value: String) throws(ReportError) {
        let writer = try writer()
        try check(Self.withXMLChars(name) { name in Self.withXMLChars(XMLText.clean(value)) { xmlTextWriterWriteAttribute(writer, name, $0) } })
    }

    func text(_ value: String) throws(ReportError) {
        let writer = try writer()
        let (text, plain) = XMLText.carried(value)
        // libxml2 escapes element text into a copy of its own; text with nothing to escape is already what
        // that copy would hold (most of a report), so it is written as it is.
        try check(Self.withXMLChars(text) { plain ? xmlTextWriterWriteRaw(writer, $0) : xmlTextWriterWriteString(writer, $0) })
    }

    /// `text` as libxml2's characters for the call: a short string lent from the stack, a long one from its
    /// own storage (passing the String itself made a copy on the heap each time).
    private static func withXMLChars(_ text: String, _ body: (UnsafePointer<xmlChar>) -> Int32) -> Int32 {
        text.withCString { body(UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
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

/// libxml2's output callbacks: C functions, so they capture nothing and find the file through the context.
private let appendToGrowingFile: xmlOutputWriteCallback = { context, bytes, length in
    guard let context, let bytes, length >= 0 else { return -1 }
    let file = Unmanaged<GrowingFile>.fromOpaque(context).takeUnretainedValue()
    return file.append(UnsafeRawBufferPointer(start: bytes, count: Int(length))) ? length : -1
}

private let closeGrowingFile: xmlOutputCloseCallback = { context in
    guard let context else { return 0 }
    let file = Unmanaged<GrowingFile>.fromOpaque(context).takeRetainedValue()
    file.close()
    return 0
}
