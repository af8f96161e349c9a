/// Who the controller is, for the reports (Art. 13(1)(a)-(b), 30(1)(a)): policy files state it once.
public struct ControllerFacts: Sendable, Equatable {
    public var name: String
    public var contact: String?
    public var country: String?
    public var dpo: String?
    /// The Art. 27 representative in the Union, for a controller established outside it.
    public var representative: String?
    public var supervisoryAuthority: String?
    /// A general description of the technical and organisational security measures (Art. 30(1)(g), 32(1)).
    public var securityMeasures: String?
    /// The recipients the record of processing declares (Art. 30(1)(d)); the RoPA lists others the log shows
    /// as drift.
    public var recipients: [String] = []
}
