/// The answer to a data subject's access request (Art. 15): whether their data is processed, and per
/// purpose the legal basis, categories, recipients, transfers, retention and source; automated
/// decisions, consultations and erasures; where the copy of the data (15(3)) is to be retrieved; the
/// rights statements; and the inclusion proofs of every event it cites.
public struct DSARReport: Report {
    public static let kind = "dsar"

    public let request: Request
    public let controller: ControllerEntry?
    /// Art. 15(1): whether personal data about the person is processed (at the report's horizon or before).
    public let processingConfirmed: Bool
    public let purposes: [Purpose]
    public let recipients: [Recipient]
    public let transfers: [Transfer]
    public let sources: [Source]
    public let automatedDecisions: [AutomatedDecision]
    public let consultations: [Consultation]
    public let removals: [Removal]
    /// Art. 15(3): each system and dataset that holds or held the data, so the copy can be retrieved there.
    public let copyLocations: [CopyLocation]
    public let rights: [Right]
    public let proofs: [InclusionProof]
    public let evidence: EvidenceBlock
    /// The diagram of where the data went, for the HTML only.
    public let diagram: LineageDiagram

    enum CodingKeys: String, CodingKey {
        case request, controller, processingConfirmed, purposes, recipients, transfers, sources, automatedDecisions, consultations,
             removals, copyLocations, rights, proofs, evidence
    }

    public struct Request: Encodable, Sendable {
        /// The identifiers the request was answered for, as given.
        public let identifiers: [String]
        /// How many of them the log knows.
        public let knownIdentifiers: Int
        public let received: String?
        /// Art. 12(3): one month after receipt.
        public let dueBy: String?
        /// The person's erasure request, if they made one the view can see.
        public let erasure: Erasure?
    }

    public struct Erasure: Encodable, Sendable {
        public let request: String
        public let received: String
        /// When Custody forgot the person, if it has.
        public let forgotten: String?
    }

    public struct ControllerEntry: Encodable, Sendable {
        public let name: String
        public let contact: String?
        public let country: String?
        public let dpo: String?
        public let representative: String?
        public let supervisoryAuthority: String?
    }

    public struct Purpose: Encodable, Sendable {
        public let key: String
        public let name: String
        public let dpv: String?
        public let legalBases: [String]
        public let categories: [Category]
        public let datasets: [String]
        public let recipients: [String]
        public let retentionPeriods: [RetentionEntry]
        public let jobs: [String]
        public let events: [Int]
    }

    public struct Category: Encodable, Sendable {
        public let key: String
        public let name: String
        public let dpv: String?
        /// The Art. 9(1) category it belongs to, if any.
        public let specialCategory: String?
        public let criminal: Bool
    }

    public struct RetentionEntry: Encodable, Sendable {
        public let rule: String
        /// ISO 8601 duration.
        public let period: String
        /// `firstWrite` or `presence`.
        public let clock: String
        public let notes: String?
    }

    public struct Recipient: Encodable, Sendable {
        public let name: String
        public let role: String
        public let country: String?
        public let internationalOrganisation: String?
        /// Outside the EEA, or an international organisation.
        public let thirdCountry: Bool
        public let disclosures: [Disclosure]
    }

    public struct Disclosure: Encodable, Sendable {
        public let at: String
        public let event: Int
        public let job: String
        public let purposes: [String]
        public let datasets: [String]
    }

    public struct Transfer: Encodable, Sendable {
        public let destination: String
        public let recipient: String?
        public let datasets: [String]
        public let at: String
        public let event: Int
        /// `adequacy`, `safeguard`, `derogation` or `none` (the Chapter V branch that applied).
        public let branch: String
        public let basis: String?
        public let onwardFromCountries: [String]
        public let gaps: [String]
    }

    public struct Source: Encodable, Sendable {
        public let dataset: String
        /// `data_subject`, `third_party` or `public`.
        public let type: String
        public let name: String?
        public let collectedAt: String
        public let event: Int
        public let job: String
    }

    public struct AutomatedDecision: Encodable, Sendable {
        public let job: String
        public let at: String
        public let event: Int
        public let dataset: String
        public let logic: String?
        public let significance: String?
        public let purposes: [String]
    }

    public struct Consultation: Encodable, Sendable {
        public let at: String
        public let event: Int
        public let job: String
        public let purposes: [String]
        public let datasets: [String]
    }

    public struct Removal: Encodable, Sendable {
        public let dataset: String
        public let at: String
        public let event: Int
        /// `erasure`, `DROP`, `TRUNCATE` or `OVERWRITE`.
        public let how: String
        public let job: String?
    }

    public struct CopyLocation: Encodable, Sendable {
        public let system: String
        public let dataset: String
        public let location: String?
        public let country: String?
        /// Whether the person's data is there at the report's horizon.
        public let present: Bool
        /// An event named the person there (else the data was carried there by a run).
        public let confirmed: Bool
        public let since: String
        public let until: String?
        public let categories: [String]
    }

    public struct Right: Encodable, Sendable {
        public let article: String
        public let name: String
        public let statement: String
        /// Whether it applies given the legal bases of the processing.
        public let applies: Bool
    }

    public struct InclusionProof: Encodable, Sendable {
        public let event: Int
        /// Base64 SHA-256 leaf hash.
        public let leafHash: String
        /// The audit path, base64 hashes, leaf to root (RFC 9162 §2.1.3).
        public let hashes: [String]
    }
}
