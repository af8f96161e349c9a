import CustodyLineage
import CustodyModel
import CustodyPack
import Foundation

/// Answers the Chapter V question for one destination, with the pack's adequacy decisions and recorded
/// bases and what the run itself names.
struct TransferAssessor {
    let pack: PolicyPack

    /// One movement of personal data.
    struct Movement {
        /// The destination country, or nil with `organisation` set.
        var country: CountryCode?
        var organisation: String?
        /// Where the data is stored, for the bases the pack records per location (nil for a disclosure).
        var location: StorageLocation?
        var recipient: Processing.Recipient?
        /// The run's own `transferMechanism`, if a run moved the data.
        var mechanism: Processing.TransferMechanism?
        var publicAuthority = false
        var onwardFrom: [String] = []
        /// When the data moved, for the decisions in force then.
        var at: Date
    }

    /// Derogations Art. 49(3) does not give public authorities exercising their public powers.
    static let unavailableToPublicAuthorities: Set = [
        "explicit_consent_informed_of_risks", "contract_with_subject", "contract_in_subject_interest", "compelling_legitimate_interests",
    ]

    /// Art. 46(3) tools, which need the supervisory authority's authorisation.
    static let needAuthorisation: Set = ["ad_hoc_clauses", "admin_arrangement"]

    func assess(_ movement: Movement) -> TransferAssessment {
        let destination = movement.country?.code ?? movement.organisation ?? "unknown"
        func result(_ branch: TransferAssessment.Branch, _ basis: String?, _ recordedIn: String?, _ gaps: [String]) -> TransferAssessment {
            TransferAssessment(destination: destination, onwardFrom: movement.onwardFrom, branch: branch, basis: basis, recordedIn: recordedIn, gaps: gaps)
        }
        if let country = movement.country, pack.jurisdictions.isInEEA(country) { return result(.eea, nil, nil, []) }
        var gaps: [String] = []

        // Adequacy within its scope.
        if let decision = pack.transfers.adequacy[destination] {
            if !decision.isInForce(at: movement.at) {
                gaps.append("the adequacy decision for \(destination) (\(decision.decision)) was not in force on \(RFC3339.format(movement.at).prefix(10))")
            } else if let gap = decision.scope.gap(hasRecipient: movement.recipient != nil, dpfCertified: movement.recipient?.dpfCertified,
                regime: movement.recipient?.regime) {
                gaps.append("adequacy: \(gap)")
            } else {
                return result(.adequacy, decision.decision, "adequacy decision", gaps)
            }
        } else {
            gaps.append("no adequacy decision covers \(destination)")
        }

        // What the run names and what the pack records for the location or recipient.
        var candidates: [(mechanism: String, tiaRef: String?, authorisationRef: String?, recordedIn: String)] = []
        if let mechanism = movement.mechanism {
            if mechanism.type == "adequacy" {
                gaps.append("the run names adequacy, which does not hold here")
            } else {
                candidates.append((mechanism.type, mechanism.tiaRef, mechanism.authorisationRef, "the run"))
            }
        }
        let recorded = movement.recipient.map { pack.transfers.bases(forRecipient: $0.name) } ?? []
            + (movement.location != nil || movement.recipient == nil
                ? pack.transfers.bases(forLocation: movement.location, country: movement.country) : [])
        for basis in recorded {
            candidates.append((basis.mechanism, basis.tiaRef, basis.authorisationRef, "policy file (\(basis.target))"))
        }

        // Art. 46 safeguards, with their impact assessment.
        for candidate in candidates where !candidate.mechanism.hasPrefix("derogation:") {
            if candidate.tiaRef == nil {
                gaps.append("\(candidate.mechanism) (\(candidate.recordedIn)) has no transfer impact assessment (tiaRef)")
            } else if Self.needAuthorisation.contains(candidate.mechanism) && candidate.authorisationRef == nil {
                gaps.append("\(candidate.mechanism) (\(candidate.recordedIn)) needs the supervisory authority's authorisation (authorisationRef)")
            } else {
                var basis = "\(candidate.mechanism), impact assessment \(candidate.tiaRef!)"
                if let authorisation = candidate.authorisationRef { basis += ", authorisation \(authorisation)" }
                return result(.safeguard, basis, candidate.recordedIn, gaps)
            }
        }

        // Art. 49 derogations, the last resort.
        for candidate in candidates where candidate.mechanism.hasPrefix("derogation:") {
            let name = String(candidate.mechanism.dropFirst("derogation:".count))
            if movement.publicAuthority && Self.unavailableToPublicAuthorities.contains(name) {
                gaps.append("\(candidate.mechanism) (\(candidate.recordedIn)) is not available to a public authority in its tasks (Art. 49(3))")
            } else {
                return result(.derogation, candidate.mechanism, candidate.recordedIn, gaps)
            }
        }
        if candidates.isEmpty { gaps.append("no Art. 46 safeguard or Art. 49 derogation is named by the run or recorded in the pack") }
        return result(.none, nil, nil, gaps)
    }
}
