import CustodyLineage
import CustodyModel
import CustodyPack

/// A rule written in a policy file (`when`): every run or dataset holding personal data that meets all
/// of its conditions is a finding.
struct ConditionCheck {
    let facts: ProcessingFacts
    let rule: PolicyRule
    let condition: RuleCondition

    func findings() -> [Finding] {
        switch condition.target {
        case .run:
            return facts.runs.filter { $0.touchesPersonalData && matches($0) }.map { run in
                Finding(rule: rule, concerns: Concern(run: run.summary),
                    summary: "\(run.summary.job.name) (run \(run.summary.runID)) meets the rule's conditions",
                    evidence: facts.evidence(of: run, datasets: run.inputs + run.outputs))
            }
        case .dataset:
            return facts.datasetsInOrder.filter { facts.holdsPersonalData($0) && matches($0) }.map { dataset in
                Finding(rule: rule, concerns: Concern(dataset: dataset.dataset, datasetID: dataset.storeID), summary: "\(dataset.dataset.name) meets the rule's conditions",
                    evidence: facts.evidence(of: dataset))
            }
        }
    }

    private func matches(_ run: ProcessingFacts.JudgedRun) -> Bool {
        let processing = run.summary.processing
        if let operations = condition.operations, !operations.contains(processing.operation) { return false }
        if let purposes = condition.purposes, !processing.purposes.contains(where: { Self.within($0, purposes) }) { return false }
        if let bases = condition.legalBases, !bases.contains(processing.legalBasis ?? "none") { return false }
        if let countries = condition.recipientCountries {
            let recipient = processing.recipient
            guard let place = recipient?.internationalOrganisation ?? recipient?.country.flatMap(CountryCode.init)?.code,
                countries.contains(place) else { return false }
        }
        if let completed = condition.completed, (run.summary.completed != nil) != completed { return false }
        if let categories = condition.categories, !facts.categories(of: run).keys.contains(where: { Self.within($0, categories) }) { return false }
        if let outside = condition.outsideEEA {
            let jurisdictions = facts.pack.jurisdictions
            let recipientOutside = processing.recipient.map { recipient in
                recipient.internationalOrganisation != nil || recipient.country.flatMap(CountryCode.init).map { !jurisdictions.isInEEA($0) } == true
            } ?? false
            let storedOutside = run.overview.outputIDs.contains { facts.profile(id: $0)?.location.inEEA == false }
            if (recipientOutside || storedOutside) != outside { return false }
        }
        return true
    }

    private func matches(_ dataset: DatasetProfile) -> Bool {
        if let categories = condition.categories, !dataset.categories.contains(where: { Self.within($0.key, categories) }) { return false }
        if let countries = condition.countries, !countries.contains(dataset.location.country?.code ?? "") { return false }
        if let outside = condition.outsideEEA, (dataset.location.inEEA == false) != outside { return false }
        if let types = condition.subjectTypes, !dataset.subjectTypes.contains(where: { Self.within($0, types) }) { return false }
        return true
    }

    private static func within(_ key: String, _ ancestors: [String]) -> Bool {
        ancestors.contains { Taxonomy.key(key, isWithin: $0) }
    }
}
