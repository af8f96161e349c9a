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
        // Few purposes meet few collection purposes: each pair is judged once.
        struct Pair: Hashable { let purpose: String, original: String }
        var compatible: [Pair: Bool] = [:]
        // Runs share their inputs: what the rule needs of each is worked out once, kept by the dataset's place
        // among the profiles (`.some(nil)`: it holds no personal data or was collected for no stated purpose).
        var inputs = [Collected??](repeating: nil, count: facts.datasetsInOrder.count)
        for run in facts.runs {
            let processing = run.summary.processing
            guard processing.operation != "collect", !["erase", "anonymize"].contains(processing.operation),
                !Self.exemptBases.contains(processing.legalBasis ?? ""), !processing.purposes.isEmpty
            else { continue }
            for (input, id) in zip(run.inputs, run.overview.inputIDs) {
                guard let place = facts.ranks.datasets[id] else { continue }
                let collected: Collected
                if let known = inputs[place] {
                    guard let known else { continue }
                    collected = known
                } else {
                    let found = collection(at: place)
                    inputs[place] = .some(found)
                    guard let found else { continue }
                    collected = found
                }
                let incompatible = processing.purposes.filter { purpose in
                    !collected.purposes.contains { original in
                        let pair = Pair(purpose: purpose, original: original)
                        if let known = compatible[pair] { return known }
                        let verdict = taxonomy.purpose(purpose, isCompatibleWith: original)
                        compatible[pair] = verdict
                        return verdict
                    }
                }
                guard !incompatible.isEmpty else { continue }
                findings.append(Finding(rule: rule, concerns: Concern(dataset: input, datasetID: id, run: run.summary),
                    summary: "\(run.summary.job.name) used \(input.name), collected for \(collected.listed), for "
                        + "\(incompatible.joined(separator: ", ")) on " + (processing.legalBasis ?? "no stated basis"),
                    evidence: run.summary.events + collected.evidence))
            }
        }
        return findings
    }

    /// What the rule needs of a dataset a run read.
    private struct Collected {
        /// The purposes its data was collected for, and the same as a sorted list in words.
        let purposes: [String], listed: String
        /// The events of the completed `collect` runs that wrote it, in the order of their first events.
        let evidence: [Int]
    }

    /// `nil` when the dataset (at `place` in `facts.datasetsInOrder`) holds no personal data, or its data was
    /// collected for no stated purpose.
    private func collection(at place: Int) -> Collected? {
        guard facts.holdsPersonalDataByPlace[place] else { return nil }
        let profile = facts.datasetsInOrder[place]
        guard !profile.collectionPurposes.isEmpty else { return nil }
        let collections = profile.writers.filter { $0.processing.operation == "collect" }
        return Collected(purposes: profile.collectionPurposes, listed: profile.collectionPurposes.sorted().joined(separator: ", "),
            evidence: collections.sorted { ($0.events.first ?? 0) < ($1.events.first ?? 0) }.flatMap(\.events))
    }
}
