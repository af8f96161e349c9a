import CLibXML2
import Foundation

/// Validates an XML file against an XSD as a stream (libxml2's SAX parser with schema validation), so a
/// document of any size is checked in constant memory. The first problem is reported with its line.
struct XMLSchemaValidator: Sendable {
    /// Where the schema comes from: one self-contained text (Custody's report schemas, embedded with
    /// common.xsd inlined), or a set of files that include each other (the W3C PROV schema), written to a
    /// scratch folder so libxml2 resolves the includes there and never on the network.
    enum Schema {
        case text(String)
        case files([String: String], entry: String)
    }

    let schema: Schema
    /// A name for messages, such as `reports/xsd/dsar.xsd`.
    let schemaName: String

    /// Writes a document to `path` through `body` and validates it meanwhile on the other core, reading the
    /// file as it grows: a large report is checked in the time it takes to write it. Throws what `body`
    /// throws, else `ReportError.invalid` naming the first problem unless the document is valid.
    func writeDocument(at path: String, _ body: (XMLStream) throws -> Void) throws {
        // libxml2 sets up its shared state on first use; two threads must not both do it.
        xmlInitParser()
        let file = try GrowingFile(path: path)
        let validation = DispatchGroup()
        nonisolated(unsafe) var outcome: Result<Void, ReportError> = .success(())
        validation.enter()
        DispatchQueue.global().async { [self] in
            outcome = Result { () throws(ReportError) in try validate(following: file) }
            validation.leave()
        }
        do {
            let stream = try XMLStream(file: file)
            try body(stream)
            try stream.finish()
        } catch {
            // The validator waits for bytes until the file is closed; what it says of a broken document is moot.
            file.close()
            validation.wait()
            throw error
        }
        file.close()
        validation.wait()
        guard !file.failed else { throw ReportError(.output, "cannot write the XML document \(path) (is the disk full?)") }
        try outcome.get()
    }

    /// Throws `ReportError.invalid` naming the first problem, unless the file at `path` is well-formed
    /// and valid against the schema.
    func validate(fileAt path: String) throws(ReportError) {
        try validate(path) { validation in xmlSchemaValidateFile(validation, path, 0) }
    }

    /// `validate(fileAt:)` for a file still being written: its bytes are read as they come, until it is closed.
    func validate(following file: GrowingFile) throws(ReportError) {
        let follower = try file.follow()
        try validate(file.path) { validation in
            // libxml2 owns the input from here and gives the follower back when it closes it.
            let context = Unmanaged.passRetained(follower).toOpaque()
            guard let input = xmlParserInputBufferCreateIO(readFollower, closeFollower, context, XML_CHAR_ENCODING_NONE) else {
                Unmanaged<GrowingFile.Follower>.fromOpaque(context).release()
                return -1
            }
            return xmlSchemaValidateStream(validation, input, XML_CHAR_ENCODING_NONE, nil, nil)
        }
    }

    /// Compiles the schema and runs `run` with a validation context whose problems are collected.
    private func validate(_ path: String, _ run: (xmlSchemaValidCtxtPtr) -> Int32) throws(ReportError) {
        let problems = ProblemCollector()
        let context = Unmanaged.passUnretained(problems).toOpaque()
        defer { withExtendedLifetime(problems) {} }

        var scratch: URL?
        defer { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
        var retained: UnsafeMutableBufferPointer<CChar>?
        defer { retained?.deallocate() }
        let parser: xmlSchemaParserCtxtPtr?
        switch schema {
        case .text(let text):
            // libxml2 reads the buffer when the schema is parsed, not when the context is made: it must outlive both.
            let bytes = Array(text.utf8)
            let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: bytes.count)
            _ = buffer.initialize(from: bytes.lazy.map { CChar(bitPattern: $0) })
            retained = buffer
            parser = xmlSchemaNewMemParserCtxt(buffer.baseAddress, Int32(buffer.count))
        case .files(let files, let entry):
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custody-schema-\(UUID().uuidString)")
            scratch = folder
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
            } catch { throw ReportError(.output, "cannot prepare the schema \(schemaName) in \(folder.path): \(error)") }
            parser = xmlSchemaNewParserCtxt(folder.appendingPathComponent(entry).path)
        }
        guard let parser else { throw ReportError(.invalid, "cannot read the schema \(schemaName)") }
        defer { xmlSchemaFreeParserCtxt(parser) }
        xmlSchemaSetParserStructuredErrors(parser, collect, context)
        guard let compiled = xmlSchemaParse(parser) else {
            throw ReportError(.invalid, "the schema \(schemaName) does not compile: \(problems.first ?? "unknown problem")")
        }
        defer { xmlSchemaFree(compiled) }
        guard let validation = xmlSchemaNewValidCtxt(compiled) else { throw ReportError(.invalid, "cannot validate against \(schemaName)") }
        defer { xmlSchemaFreeValidCtxt(validation) }
        xmlSchemaSetValidStructuredErrors(validation, collect, context)

        // libxml2's SAX validation of the file as it is parsed, building no tree. A document that is not
        // well-formed is reported to the thread's structured error handler, not the validation context's (the
        // text reader used before lost that message), so the handler points at the collector meanwhile.
        xmlSetStructuredErrorFunc(context, collect)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        let status = run(validation)
        if status != 0 || problems.first != nil {
            if status < 0 && problems.first == nil { throw ReportError(.output, "cannot read back \(path)") }
            throw ReportError(.invalid, "the report does not validate against \(schemaName): \(problems.first ?? "unknown problem")")
        }
    }
}

/// libxml2's input callbacks for a file still being written: C functions, so they capture nothing and find
/// the follower through the context.
private let readFollower: xmlInputReadCallback = { context, buffer, length in
    guard let context, let buffer, length >= 0 else { return -1 }
    let follower = Unmanaged<GrowingFile.Follower>.fromOpaque(context).takeUnretainedValue()
    return Int32(follower.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(length))))
}

private let closeFollower: xmlInputCloseCallback = { context in
    if let context { Unmanaged<GrowingFile.Follower>.fromOpaque(context).release() }
    return 0
}

/// Keeps the first problem libxml2 reports, with its line.
private final class ProblemCollector {
    var first: String?
}

/// libxml2's structured error callback: a C function, so it captures nothing and finds the collector
/// through the context pointer.
private let collect: xmlStructuredErrorFunc = { context, error in
    guard let context, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
    let collector = Unmanaged<ProblemCollector>.fromOpaque(context).takeUnretainedValue()
    guard collector.first == nil else { return }
    // libxml2's messages end in a newline.
    var message = error.pointee.message.map { String(cString: $0) } ?? "unknown problem"
    while message.last?.isWhitespace == true { message.removeLast() }
    collector.first = error.pointee.line > 0 ? "line \(error.pointee.line): \(message)" : message
}
