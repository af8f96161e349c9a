/// The namespaces and DPV terms the PROV export uses (reference: W3C DPV 2.x and its GDPR extension).
enum ProvVocabulary {
    static let namespaces: [(prefix: String, uri: String)] = [
        ("prov", "http://www.w3.org/ns/prov#"),
        ("xsd", "http://www.w3.org/2001/XMLSchema"),
        ("xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ("dpv", "https://w3id.org/dpv#"),
        ("pd", "https://w3id.org/dpv/pd#"),
        ("eu-gdpr", "https://w3id.org/dpv/legal/eu/gdpr#"),
        ("custody", "urn:custody:prov:1#"),
    ]

    /// The prefixes a taxonomy's `dpv` value may use to be written as a QName.
    static let termPrefixes: Set = ["dpv", "pd", "eu-gdpr"]

    /// A taxonomy's DPV term, when it is a QName of a declared prefix.
    static func term(_ value: String?) -> String? {
        guard let value, let colon = value.firstIndex(of: ":"), termPrefixes.contains(String(value[..<colon])) else { return nil }
        let local = value[value.index(after: colon)...]
        guard let first = local.first, first.isLetter || first == "_", local.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else { return nil }
        return value
    }

    /// The DPV processing term of a `custody_processing` operation.
    static func processing(_ operation: String) -> String {
        switch operation {
        case "collect": "dpv:Collect"
        case "copy": "dpv:Copy"
        case "aggregate": "dpv:Aggregate"
        case "pseudonymize": "dpv:Pseudonymise"
        case "anonymize": "dpv:Anonymise"
        case "transfer": "dpv:Transfer"
        case "erase": "dpv:Erase"
        case "access": "dpv:Access"
        case "decide": "dpv:Use"
        default: "dpv:Transform"
        }
    }

    /// The GDPR extension's term for an Art. 6(1) basis.
    static func legalBasis(_ basis: String) -> String? {
        switch basis {
        case "consent": "eu-gdpr:A6-1-a"
        case "contract": "eu-gdpr:A6-1-b"
        case "legal_obligation": "eu-gdpr:A6-1-c"
        case "vital_interests": "eu-gdpr:A6-1-d"
        case "public_task": "eu-gdpr:A6-1-e"
        case "legitimate_interests": "eu-gdpr:A6-1-f"
        default: nil
        }
    }

    /// The DPV entity type of a recipient's role.
    static func recipientRole(_ role: String) -> String {
        switch role {
        case "processor": "dpv:DataProcessor"
        case "controller": "dpv:DataController"
        case "third_party": "dpv:ThirdParty"
        default: "dpv:Recipient"
        }
    }
}
