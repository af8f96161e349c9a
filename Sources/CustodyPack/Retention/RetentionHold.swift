/// An Art. 17(3) ground that suspends erasure and retention deadlines for some datasets (invoices kept
/// for the tax authority, records kept for a pending claim).
public struct RetentionHold: Sendable, Equatable {
    /// The Art. 17(3) grounds, with the letter each is.
    public static let grounds: [String: String] = [
        "freedom_of_expression": "17(3)(a)", "legal_obligation": "17(3)(b)", "public_health": "17(3)(c)",
        "archiving_research_statistics": "17(3)(d)", "legal_claims": "17(3)(e)",
    ]

    public let id: String
    public let ground: String
    /// Node ids (`dataset:<namespace>:<name>`) the hold covers; `*` stands for any run of characters.
    public let datasets: [String]
    public let reason: String

    /// Whether the hold covers the dataset with this node id.
    public func covers(_ nodeID: String) -> Bool {
        datasets.contains { Jurisdictions.glob($0, matches: nodeID) }
    }
}
