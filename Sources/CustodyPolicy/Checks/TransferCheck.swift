import CustodyLineage
import CustodyModel
import CustodyPack
import Foundation

/// Chapter V: every movement of personal data out of the EEA, by a completed run (to a recipient, or
/// into a dataset stored in a third country) or declared by an inventory event, with the branch that
/// gave it a basis. Adequacy and safeguards are `info`, derogations `warning`, no basis the rule's own
/// severity.
struct TransferCheck {
    let facts: ProcessingFacts
    let rule: PolicyRule

    func findings() -> [Finding] {
        let assessor = TransferAssessor(pack: facts.pack)
        var findings: [Finding] = []
        for run in facts.runs {
            guard let completed = run.summary.completed else { continue }
            guard run.touchesPersonalData else { continue }
            let processing = run.summary.processing
            let sources = thirdCountries(of: run.overview.inputIDs)
            var movement = TransferAssessor.Movement(mechanism: processing.transferMechanism,
                publicAuthority: processing.controller?.publicAuthority ?? false, at: completed.time)
            var coveredByRecipient: Set<String> = []
            // A disclosure to a recipient outside the EEA; the recipient's own storage goes with it.
            if let recipient = processing.recipient, processing.disclosesData {
                let country = recipient.country.flatMap(CountryCode.init)
                if recipient.internationalOrganisation != nil || country.map({ !facts.pack.jurisdictions.isInEEA($0) }) == true {
                    movement.country = country
                    movement.organisation = recipient.internationalOrganisation
                    movement.recipient = recipient
                    let disclosed = processing.operation == "access" ? run.inputs : run.outputs
                    if let finding = judge(movement, sources: sources, assessor: assessor,
                        concern: Concern(run: run.summary, recipient: recipient.name),
                        what: "\(run.summary.job.name) disclosed personal data to \(recipient.name)",
                        evidence: facts.evidence(of: run, datasets: disclosed)) {
                        findings.append(finding)
                    }
                    if let country { coveredByRecipient.insert(country.code) }
                }
            }
            // Storage in a third country; an erasure moves nothing there.
            for (output, id) in zip(run.outputs, run.overview.outputIDs) where processing.operation != "erase" {
                guard let dataset = facts.profile(id: id), facts.holdsPersonalData(dataset), let country = dataset.location.country,
                    dataset.location.inEEA == false, !coveredByRecipient.contains(country.code)
                else { continue }
                var storage = movement
                storage.country = country
                storage.organisation = nil
                storage.recipient = nil
                storage.location = dataset.location.text.flatMap(StorageLocation.init)
                if let finding = judge(storage, sources: sources, assessor: assessor, concern: Concern(dataset: output, datasetID: id, run: run.summary),
                    what: "\(run.summary.job.name) stored personal data in \(output.name), located in \(dataset.location.text ?? country.code)",
                    evidence: facts.evidence(of: run, datasets: [output])) {
                    findings.append(finding)
                }
            }
        }
        // Datasets in a third country that no completed run wrote: an inventory event declared the data there.
        for dataset in facts.datasetsInOrder where dataset.writers.isEmpty {
            guard facts.holdsPersonalData(dataset), let country = dataset.location.country, dataset.location.inEEA == false else { continue }
            let movement = TransferAssessor.Movement(country: country, location: dataset.location.text.flatMap(StorageLocation.init),
                at: dataset.location.declaredBy?.time ?? .distantPast)
            if let finding = judge(movement, sources: [], assessor: assessor, concern: Concern(dataset: dataset.dataset, datasetID: dataset.storeID),
                what: "\(dataset.dataset.name) holds personal data in \(dataset.location.text ?? country.code)", evidence: facts.evidence(of: dataset)) {
                findings.append(finding)
            }
        }
        return findings
    }

    /// The third countries a run's personal-data inputs are in, when all of them are outside the EEA (the
    /// data is already abroad); empty when any came from the EEA or from an unknown place.
    private func thirdCountries(of inputs: [Int64]) -> [String] {
        var countries: Set<String> = []
        for input in inputs {
            guard let dataset = facts.profile(id: input), facts.holdsPersonalData(dataset) else { continue }
            guard let country = dataset.location.country, dataset.location.inEEA == false else { return [] }
            countries.insert(country.code)
        }
        return countries.sorted()
    }

    private func judge(_ movement: TransferAssessor.Movement, sources: [String], assessor: TransferAssessor, concern: Concern,
                       what: String, evidence: [Int]) -> Finding? {
        var movement = movement
        let destination = movement.country?.code ?? movement.organisation ?? ""
        if !sources.isEmpty {
            // Data already abroad that stays in its country is no new transfer; elsewhere it is an onward one.
            if sources == [destination] { return nil }
            movement.onwardFrom = sources
        }
        let assessment = assessor.assess(movement)
        let severity: Severity
        let verdict: String
        switch assessment.branch {
        case .eea: return nil
        case .adequacy:
            severity = .info
            verdict = "under the adequacy decision \(assessment.basis ?? "")"
        case .safeguard:
            severity = .info
            verdict = "under \(assessment.basis ?? "") (\(assessment.recordedIn ?? ""))"
        case .derogation:
            severity = rule.severity == .info ? .info : .warning
            verdict = "only under the Art. 49 derogation \(assessment.basis ?? "") (\(assessment.recordedIn ?? "")), a last resort for occasional transfers"
        case .none:
            severity = rule.severity
            verdict = "without a basis: " + assessment.gaps.joined(separator: "; ")
        }
        let onward = movement.onwardFrom.isEmpty ? "" : " (an onward transfer from \(movement.onwardFrom.joined(separator: ", ")))"
        return Finding(rule: rule, severity: severity, concerns: concern, summary: "\(what)\(onward), \(verdict)", evidence: evidence,
            transfer: assessment)
    }
}
