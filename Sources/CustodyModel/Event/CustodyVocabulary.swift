/// The closed enumerations of the `custody_*` facets (spec/ingest.md). Categories, purposes and subject
/// types are open: they only have to be dotted keys.
public enum CustodyVocabulary {
    public static let eventTypes: Set<String> = ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"]

    public static let operations: Set<String> = [
        "collect", "transform", "copy", "aggregate", "pseudonymize", "anonymize", "transfer", "erase", "access",
        "decide",
    ]

    /// Art. 6(1) lawful bases.
    public static let legalBases: Set<String> = [
        "consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interests",
    ]

    /// Art. 9(2) conditions for special categories.
    public static let specialCategoryConditions: Set<String> = [
        "explicit_consent", "employment_social_security", "vital_interests_incapable", "not_for_profit_members",
        "manifestly_made_public", "legal_claims_courts", "substantial_public_interest", "health_social_care",
        "public_health", "archiving_research_statistics",
    ]

    /// Art. 10 authorisations for criminal-offence data.
    public static let criminalDataAuthorisations: Set<String> = ["official_authority", "authorised_by_law"]

    public static let recipientRoles: Set<String> = ["processor", "controller", "third_party", "public_authority"]

    public static let sourceTypes: Set<String> = ["data_subject", "third_party", "public"]

    /// Chapter V transfer tools: adequacy and the Art. 46 safeguards.
    public static let transferTools: Set<String> = [
        "adequacy", "scc_commission", "scc_supervisory_authority", "bcr", "code_of_conduct", "certification",
        "ad_hoc_clauses", "admin_arrangement", "public_authority_instrument",
    ]

    /// Art. 49 derogations, written `derogation:<name>` (reference/gdpr.md §5.6).
    public static let derogations: Set<String> = [
        "explicit_consent_informed_of_risks", "contract_with_subject", "contract_in_subject_interest",
        "important_public_interest", "legal_claims", "vital_interests_incapable", "public_register",
        "compelling_legitimate_interests",
    ]

    /// Whether `text` is a dotted key: `[a-z0-9_]+(\.[a-z0-9_]+)*`.
    public static func isDottedKey(_ text: String) -> Bool {
        var segmentLength = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                segmentLength += 1
            case UInt8(ascii: "."):
                if segmentLength == 0 { return false }
                segmentLength = 0
            default:
                return false
            }
        }
        return segmentLength > 0
    }

    static func list(_ values: Set<String>) -> String {
        values.sorted().joined(separator: ", ")
    }
}
