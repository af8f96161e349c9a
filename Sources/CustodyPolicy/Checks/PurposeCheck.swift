import CustodyLineage
import CustodyPack

/// Purpose limitation (Art. 5(1)(b), 6(4)): data collected for some purposes may be processed further
/// only for compatible ones, unless the further processing rests on consent or a legal obligation.
/// The purposes data was collected for follow it downstream (`DatasetProfile.collectionPurposes`).
struct PurposeCheck {
    let facts: ProcessingFacts
    let rule: PolicyRule

    /// Bases under which Art. 6(4) allows a new purpose whatever the original one.
    static let exemptBases: Set = ["consent", "legal_obligation"]

    func findings() -> [Finding] {
        let taxonomy = facts.pack.taxonomy
        var findings: [Finding] = []
        // Few purposes meet few collection purposes: each pair is judged once, each list written once.
        struct Pair: Hashable { let purpose: String, original: String }
        var compatible: [Pair: Bool] = [:]
        var listed: [NodeName: String] = [:]
        for run in facts.runs {
            let processing = run.summary.processing
            guard processing.operation != "collect", !["erase", "anonymize"].contains(processing.operation),
                !Self.exemptBases.contains(processing.legalBasis ?? ""), !processing.purposes.isEmpty
            else { continue }
            for input in run.inputs where facts.holdsPersonalData(input) {
                let original = facts.datasets[input]?.collectionPurposes ?? []
                guard !original.isEmpty else { continue }
                let incompatible = processing.purposes.filter { purpose in
                    !original.contains { original in
                        let pair = Pair(purpose: purpose, original: original)
                        if let known = compatible[pair] { return known }
                        let verdict = taxonomy.purpose(purpose, isCompatibleWith: original)
                        compatible[pair] = verdict
                        return verdict
                    }
                }
                guard !incompatible.isEmpty else { continue }
                let originals: String
                if let known = listed[input] { originals = known } else {
                    originals = original.sorted().joined(separator: ", ")
                    listed[input] = originals
                }
                findings.append(Finding(rule: rule, concerns: Concern(dataset: input, run: run.summary),
                    summary: "\(run.summary.job.name) used \(input.name), collected for \(originals), for "
                        + "\(incompatible.joined(separator: ", ")) on " + (processing.legalBasis ?? "no stated basis"),
                    evidence: run.summary.events + collectionEvidence(of: input)))
            }
        }
        return findings
    }

    /// The events of the completed `collect` runs that wrote a dataset, in the order of their first events.
    private func collectionEvidence(of dataset: NodeName) -> [Int] {
        let collections = facts.datasets[dataset]?.writers.filter { $0.processing.operation == "collect" } ?? []
        return collections.sorted { ($0.events.first ?? 0) < ($1.events.first ?? 0) }.flatMap(\.events)
    }
}
