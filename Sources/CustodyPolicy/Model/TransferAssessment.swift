/// The Chapter V answer for one movement of personal data to a third country or an international
/// organisation: which basis holds, found in the order EEA → adequacy within its scope → Art. 46
/// safeguard with its impact assessment → Art. 49 derogation → none (reference/gdpr.md §5.6).
public struct TransferAssessment: Sendable, Equatable {
    /// The branch that applied.
    public enum Branch: String, Sendable, Equatable {
        /// The destination is in the EEA: no transfer.
        case eea
        /// An adequacy decision (Art. 45) whose scope covers the transfer.
        case adequacy
        /// An Art. 46 safeguard with its transfer impact assessment.
        case safeguard
        /// An Art. 49 derogation: allowed, but a last resort.
        case derogation
        /// Nothing: the transfer has no basis.
        case none
    }

    /// The country code or the international organisation's id.
    public let destination: String
    /// Data moving on from a third country (Art. 44 "onward transfers"): the countries it came from.
    public let onwardFrom: [String]
    public let branch: Branch
    /// The basis that held: the decision, or the mechanism with its references.
    public let basis: String?
    /// Where that basis was recorded: `the run` or `policy file (location aws:us-east-1)`.
    public let recordedIn: String?
    /// Why the earlier branches did not hold, in the order they were tried.
    public let gaps: [String]
}
