/// The formats a report is written in: HTML for people (the default), XML validated against the kind's
/// schema, JSON for programs.
public enum ReportFormat: String, Sendable, CaseIterable {
    case html, xml, json

    /// The usual file extension.
    public var fileExtension: String { rawValue }
}
