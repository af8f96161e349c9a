import Foundation
import Mustache

/// Writes reports to files in any of the formats, all or nothing: XML is validated against the kind's
/// schema before it is moved into place, and nothing is left behind on an error.
///
/// ```swift
/// let report = try DSARReport(lineage: lineage.pinned(), identifiers: ["alice@example.com"], vaultKey: key,
///                             received: nil, engineVersion: "0.5.0", now: Date())
/// try ReportRenderer().write(report, format: .xml, to: "dsar.xml")
/// ```
public struct ReportRenderer: Sendable {
    public init() {}

    /// Writes `report` to `path`, replacing what was there only once the new file is complete.
    public func write<R: Report>(_ report: R, format: ReportFormat, to path: String) throws {
        try ReportFile.write(to: path) { temporary in
            switch format {
            case .xml:
                try Self.validator(for: R.kind).writeDocument(at: temporary) { stream in
                    let writer = XMLReportWriter(stream: stream)
                    try Self.emit(report, to: writer)
                    try writer.finish()
                }
            case .json:
                let writer = try JSONReportWriter(path: temporary)
                try Self.emit(report, to: writer)
                try writer.finish()
            case .html:
                let html = try Self.html(report)
                guard FileManager.default.createFile(atPath: temporary, contents: Data(html.utf8)) else {
                    throw ReportError(.output, "cannot write the HTML report to \(path)")
                }
            }
        }
    }

    /// The report's HTML: its kind's template filled from the report.
    static func html<R: Report>(_ report: R) throws -> String {
        let context: Any = try (report as? any StreamedReport)?.templateContext() ?? report
        guard let html = try templates.get().render(TemplateContext.wrap(context) as Any, withTemplate: R.kind) else {
            throw ReportError(.invalid, "no HTML template for the \(R.kind) report")
        }
        return html
    }

    /// A report streamed by its own code (the audit trail), or written whole from its encoding.
    private static func emit<R: Report>(_ report: R, to writer: any ReportWriter) throws {
        if let streamed = report as? any StreamedReport {
            try streamed.stream(to: writer)
        } else {
            try writer.write(R.kind, encoding: report)
        }
    }

    static func validator(for kind: String) throws(ReportError) -> XMLSchemaValidator {
        guard let schema = ReportResources.schemas[kind + ".xsd"] else { throw ReportError(.invalid, "no schema for the \(kind) report") }
        return XMLSchemaValidator(schema: .text(schema), schemaName: "reports/xsd/\(kind).xsd")
    }

    /// The templates of `reports/html/`, parsed once; a template that does not parse is kept as its error,
    /// so the report that needs it says why instead of "no template".
    private static let templates: Result<MustacheLibrary, ReportError> = {
        MustacheContentTypes.register(HTMLEscaping(), named: HTMLEscaping.name)
        var library = MustacheLibrary()
        for (name, text) in ReportResources.templates.sorted(by: { $0.key < $1.key }) {
            do { try library.register(text, named: String(name.dropLast(".mustache".count))) } catch {
                return .failure(ReportError(.invalid, "the HTML template reports/html/\(name) does not parse: \(error)"))
            }
        }
        return .success(library)
    }()
}

/// A report that writes itself piece by piece, so its size does not bound memory (the audit trail).
protocol StreamedReport {
    func stream(to writer: any ReportWriter) throws
    /// The report whole, for its HTML template.
    func templateContext() throws -> Any
}
