/// An international organisation (Art. 4(26)): not a country, and without an ISO code, so recipients
/// name it by an id of the pack's (`EPO`).
public struct InternationalOrganisation: Sendable, Equatable {
    public let id: String
    public let name: String
    /// The W3C DPV term, as a compact IRI.
    public let dpv: String?
}
