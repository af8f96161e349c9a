import CustodyModel

/// What a run's `custody_processing` facet says, with the job's defaults filled in field by field.
/// Values are as sent: the policy pack judges them.
public struct Processing: Sendable, Equatable {
    /// `collect`, `transform` (the default), `copy`, `aggregate`, `pseudonymize`, `anonymize`,
    /// `transfer`, `erase`, `access` or `decide`.
    public var operation: String { storage.fields.operation }
    public var purposes: [String] { storage.fields.purposes }
    /// The Art. 6(1) basis, if the facet names one.
    public var legalBasis: String? { storage.fields.legalBasis }
    public var specialCategoryCondition: String? { storage.fields.specialCategoryCondition }
    public var criminalDataAuthorisation: String? { storage.fields.criminalDataAuthorisation }
    public var controller: Controller? { storage.fields.controller }
    public var recipient: Recipient? { storage.fields.recipient }
    public var transferMechanism: TransferMechanism? { storage.fields.transferMechanism }
    public var source: Source? { storage.fields.source }
    public var automatedDecision: AutomatedDecision? { storage.fields.automatedDecision }
    public var signals: [String] { storage.fields.signals }

    /// The fields, in one immutable box that copies share: lineage puts a run's processing in every summary
    /// of the run, and whole-store questions copy summaries by the hundred thousand.
    private let storage: Storage

    private final class Storage: Sendable {
        let fields: Fields

        init(_ fields: Fields) {
            self.fields = fields
        }
    }

    private struct Fields: Equatable {
        var operation = "transform"
        var purposes: [String] = []
        var legalBasis: String?
        var specialCategoryCondition: String?
        var criminalDataAuthorisation: String?
        var controller: Controller?
        var recipient: Recipient?
        var transferMechanism: TransferMechanism?
        var source: Source?
        var automatedDecision: AutomatedDecision?
        var signals: [String] = []
    }

    public static func == (lhs: Processing, rhs: Processing) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

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

    /// What a run that sent no facet, of a job without defaults, does: `transform`, for no stated purpose.
    public init() {
        storage = Storage(Fields())
    }

    /// The facet of a run laid over its job's defaults: a field the run sends replaces the job's.
    init(run: JSONValue?, job: JSONValue?) {
        var fields = Fields()
        var merged = JSONObject()
        for facet in [job, run] {
            guard case .object(let object)? = facet else { continue }
            for (key, value) in object.members where !key.hasPrefix("_") { merged[key] = value }
        }
        let facet = JSONValue.object(merged)
        if let operation = facet["operation"]?.stringValue { fields.operation = operation }
        fields.purposes = Self.strings(facet["purposes"])
        fields.legalBasis = facet["legalBasis"]?.stringValue
        fields.specialCategoryCondition = facet["specialCategoryCondition"]?.stringValue
        fields.criminalDataAuthorisation = facet["criminalDataAuthorisation"]?.stringValue
        if let value = facet["controller"], let name = value["name"]?.stringValue {
            fields.controller = Controller(name: name, country: value["country"]?.stringValue, publicAuthority: value["publicAuthority"] == .bool(true))
        }
        if let value = facet["recipient"], let name = value["name"]?.stringValue {
            var certified: Bool?
            if case .bool(let flag)? = value["dpfCertified"] { certified = flag }
            fields.recipient = Recipient(name: name, role: value["role"]?.stringValue ?? "third_party", country: value["country"]?.stringValue,
                internationalOrganisation: value["internationalOrganisation"]?.stringValue, regime: value["regime"]?.stringValue,
                dpfCertified: certified)
        }
        switch facet["transferMechanism"] {
        case .string(let type)?:
            fields.transferMechanism = TransferMechanism(type: type, tiaRef: nil, authorisationRef: nil)
        case .object(let object)?:
            if let type = object["type"]?.stringValue {
                fields.transferMechanism = TransferMechanism(type: type, tiaRef: object["tiaRef"]?.stringValue,
                    authorisationRef: object["authorisationRef"]?.stringValue)
            }
        default:
            break
        }
        if let value = facet["source"], let type = value["type"]?.stringValue {
            fields.source = Source(type: type, name: value["name"]?.stringValue)
        }
        if let value = facet["automatedDecision"] {
            fields.automatedDecision = AutomatedDecision(logic: value["logic"]?.stringValue, significance: value["significance"]?.stringValue)
        }
        fields.signals = Self.strings(facet["signals"])
        storage = Storage(fields)
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
