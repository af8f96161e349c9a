import CustodyLineage
import CustodyPack

/// What the pack cannot judge because it does not know it: a dataset holding personal data in an unknown
/// place, a category or a purpose the taxonomy lacks (a stale pack or a typo). Ingest accepts these so no
/// event is lost; the rules say so.
struct PackCoverageCheck {
    let facts: ProcessingFacts
    let rule: PolicyRule

    /// The checks of `PolicyRule.builtInChecks` this type implements.
    static let checks: Set = ["unknown-location", "unknown-category", "unknown-purpose"]

    func findings(_ check: String) -> [Finding] {
        var findings: [Finding] = []
        let taxonomy = facts.pack.taxonomy
        switch check {
        case "unknown-location":
            for dataset in facts.datasetsInOrder where facts.holdsPersonalData(dataset) && dataset.location.country == nil {
                let what = dataset.location.text.map { "is stored at \($0), a place the pack cannot map to a country" }
                    ?? "declares no location, and no namespace pattern of the pack places it"
                findings.append(Finding(rule: rule, concerns: Concern(dataset: dataset.dataset, datasetID: dataset.storeID),
                    summary: "\(dataset.dataset.name) holds personal data and \(what)", evidence: facts.evidence(of: dataset)))
            }
        case "unknown-category":
            for dataset in facts.datasetsInOrder {
                for category in dataset.categories where category.declared && !taxonomy.category(category.key).isKnown {
                    findings.append(Finding(rule: rule, concerns: Concern(dataset: dataset.dataset, datasetID: dataset.storeID),
                        summary: "\(dataset.dataset.name) is declared to hold '\(category.key)', a category the taxonomy does not know",
                        evidence: facts.evidence(of: dataset)))
                }
            }
        case "unknown-purpose":
            for run in facts.runs {
                for purpose in run.summary.processing.purposes where !taxonomy.purpose(purpose).isKnown {
                    findings.append(Finding(rule: rule, concerns: Concern(run: run.summary),
                        summary: "\(run.summary.job.name) names the purpose '\(purpose)', which the taxonomy does not know",
                        evidence: run.summary.events))
                }
            }
        default:
            break
        }
        return findings
    }
}
