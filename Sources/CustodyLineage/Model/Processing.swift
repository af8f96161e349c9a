import CustodyModel

/// What a run's `custody_processing` facet says, with the job's defaults filled in field by field.
/// Values are as sent: the policy pack judges them.
public struct Processing: Sendable, Equatable {
    /// `collect`, `transform` (the default), `copy`, `aggregate`, `pseudonymize`, `anonymize`,
    /// `transfer`, `erase`, `access` or `decide`.
    public var operation: String = "transform"
    public var purposes: [String] = []
    /// The Art. 6(1) basis, if the facet names one.
    public var legalBasis: String?
    public var specialCategoryCondition: String?
    public var criminalDataAuthorisation: String?
    public var controller: Controller?
    public var recipient: Recipient?
    public var transferMechanism: TransferMechanism?
    public var source: Source?
    public var automatedDecision: AutomatedDecision?
    public var signals: [String] = []

    public struct Controller: Sendable, Equatable {
        public let name: String
        public let country: String?
        public let publicAuthority: Bool
    }

    public struct Recipient: Sendable, Equatable, Hashable {
        public let name: String
        /// `processor`, `controller`, `third_party` or `public_authority`.
        public let role: String
        public let country: String?
        public let internationalOrganisation: String?
        public let regime: String?
        public let dpfCertified: Bool?
    }

    public struct TransferMechanism: Sendable, Equatable {
        /// `adequacy`, an Art. 46 tool, or `derogation:<name>`.
        public let type: String
        public let tiaRef: String?
        public let authorisationRef: String?
    }

    public struct Source: Sendable, Equatable {
        /// `data_subject`, `third_party` or `public`.
        public let type: String
        public let name: String?
    }

    public struct AutomatedDecision: Sendable, Equatable {
        public let logic: String?
        public let significance: String?
    }

    public init() {}

    /// The facet of a run laid over its job's defaults: a field the run sends replaces the job's.
    init(run: JSONValue?, job: JSONValue?) {
        var merged = JSONObject()
        for facet in [job, run] {
            guard case .object(let object)? = facet else { continue }
            for (key, value) in object.members where !key.hasPrefix("_") { merged[key] = value }
        }
        let facet = JSONValue.object(merged)
        if let operation = facet["operation"]?.stringValue { self.operation = operation }
        purposes = Self.strings(facet["purposes"])
        legalBasis = facet["legalBasis"]?.stringValue
        specialCategoryCondition = facet["specialCategoryCondition"]?.stringValue
        criminalDataAuthorisation = facet["criminalDataAuthorisation"]?.stringValue
        if let value = facet["controller"], let name = value["name"]?.stringValue {
            controller = Controller(name: name, country: value["country"]?.stringValue, publicAuthority: value["publicAuthority"] == .bool(true))
        }
        if let value = facet["recipient"], let name = value["name"]?.stringValue {
            var certified: Bool?
            if case .bool(let flag)? = value["dpfCertified"] { certified = flag }
            recipient = Recipient(name: name, role: value["role"]?.stringValue ?? "third_party", country: value["country"]?.stringValue,
                internationalOrganisation: value["internationalOrganisation"]?.stringValue, regime: value["regime"]?.stringValue,
                dpfCertified: certified)
        }
        switch facet["transferMechanism"] {
        case .string(let type)?:
            transferMechanism = TransferMechanism(type: type, tiaRef: nil, authorisationRef: nil)
        case .object(let object)?:
            if let type = object["type"]?.stringValue {
                transferMechanism = TransferMechanism(type: type, tiaRef: object["tiaRef"]?.stringValue,
                    authorisationRef: object["authorisationRef"]?.stringValue)
            }
        default:
            break
        }
        if let value = facet["source"], let type = value["type"]?.stringValue {
            source = Source(type: type, name: value["name"]?.stringValue)
        }
        if let value = facet["automatedDecision"] {
            automatedDecision = AutomatedDecision(logic: value["logic"]?.stringValue, significance: value["significance"]?.stringValue)
        }
        signals = Self.strings(facet["signals"])
    }

    /// Whether a run with a recipient discloses people's data to it: an `aggregate` or `anonymize` run
    /// discloses nobody's.
    public var disclosesData: Bool {
        !["aggregate", "anonymize"].contains(operation)
    }

    /// Whether the run carries the people present in its inputs into its outputs.
    public var carriesSubjects: Bool {
        !["aggregate", "anonymize", "erase", "access"].contains(operation)
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let values)? = value else { return [] }
        return values.compactMap(\.stringValue)
    }
}
