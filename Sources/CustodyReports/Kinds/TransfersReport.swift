public import CustodyLineage
import CustodyModel
import CustodyPack
import CustodyPolicy
public import Foundation

/// Every transfer of personal data to a third country or an international organisation the log shows
/// (Chapter V, Art. 44–49): disclosures, storage abroad, onward transfers and declared inventory, each
/// with the branch that applied (adequacy, Art. 46 safeguard, Art. 49 derogation, none) and its basis.
public struct TransfersReport: Report {
    public static let kind = "transfers"

    public let withoutBasis: Int
    public let underDerogation: Int
    public let transfers: [FindingEntry]
    public let evidence: EvidenceBlock

    /// The transfers of a pinned view, judged at its horizon (`now` when it has no `asOf`).
    public init(lineage: CustodyLineage.Lineage, engineVersion: String, now: Date) throws {
        let result = try PolicyEngine(pack: lineage.pack).check(lineage, now: now)
        evidence = try EvidenceBlock(lineage: lineage, engineVersion: engineVersion, now: now)
        transfers = result.findings.filter { $0.transfer != nil }.map(FindingEntry.init)
        withoutBasis = transfers.count { $0.transfer?.branch == "none" }
        underDerogation = transfers.count { $0.transfer?.branch == "derogation" }
    }
}
