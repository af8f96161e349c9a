/// A report Custody writes: a plain value whose properties, in order, are its content. The XML and JSON
/// are its encoding (one element or member per property); the HTML is the kind's template in
/// `reports/html/` filled from the same value, so the three formats cannot tell different stories.
public protocol Report: Encodable, Sendable {
    /// The kind's name: the XML root element, the schema `reports/xsd/KIND.xsd`, the template
    /// `reports/html/KIND.mustache`.
    static var kind: String { get }
    /// Where and as of when it was made.
    var evidence: EvidenceBlock { get }
}
