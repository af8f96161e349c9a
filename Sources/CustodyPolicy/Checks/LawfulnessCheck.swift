import CustodyLineage
import CustodyPack
import Foundation

/// The rules on the lawfulness of processing (Art. 6, 9, 10, 14, 22): judged on every run that read or
/// wrote personal data, failed and aborted ones too, since processing that failed was still processing.
struct LawfulnessCheck {
    let facts: ProcessingFacts
    let rule: PolicyRule

    /// The checks of `PolicyRule.builtInChecks` this type implements.
    static let checks: Set = ["lawful-basis", "public-authority-interests", "special-category", "criminal-data", "automated-decision", "source"]

    /// The Art. 9(2) conditions Art. 22(4) allows for automated decisions on special categories.
    static let automatedDecisionConditions: Set = ["explicit_consent", "substantial_public_interest"]

    func findings(_ check: String) -> [Finding] {
        var findings: [Finding] = []
        for run in facts.runs {
            let processing = run.summary.processing
            // Erasure is what the law asks for; it needs no basis of its own.
            guard processing.operation != "erase", run.touchesPersonalData || processing.operation == "collect" else { continue }
            let job = run.summary.job.name
            func found(_ summary: String, datasets: [NodeName] = []) {
                findings.append(Finding(rule: rule, concerns: Concern(run: run.summary), summary: summary,
                    evidence: facts.evidence(of: run, datasets: datasets)))
            }
            switch check {
            case "lawful-basis":
                if processing.legalBasis == nil { found("\(job) (run \(run.summary.runID)) processed personal data without naming an Art. 6(1) basis") }
            case "public-authority-interests":
                if processing.controller?.publicAuthority == true && processing.legalBasis == "legitimate_interests" {
                    found("\(job) relies on legitimate interests, but its controller \(processing.controller!.name) is a public authority")
                }
            case "special-category":
                let special = run.specialCategories
                guard !special.isEmpty else { continue }
                var missing: [String] = []
                if processing.legalBasis == nil { missing.append("an Art. 6(1) basis") }
                if processing.specialCategoryCondition == nil { missing.append("an Art. 9(2) condition") }
                if !missing.isEmpty {
                    found("\(job) processed special categories (\(Self.describe(special))) without \(missing.joined(separator: " or "))",
                        datasets: Self.holders(special))
                }
            case "criminal-data":
                let criminal = run.criminalCategories
                if !criminal.isEmpty && processing.criminalDataAuthorisation == nil {
                    found("\(job) processed criminal-offence data (\(Self.describe(criminal))) without an Art. 10 authorisation",
                        datasets: Self.holders(criminal))
                }
            case "automated-decision":
                guard processing.operation == "decide" else { continue }
                let special = run.specialCategories
                if !special.isEmpty && !Self.automatedDecisionConditions.contains(processing.specialCategoryCondition ?? "") {
                    found("\(job) made automated decisions on special categories (\(Self.describe(special))) under "
                        + (processing.specialCategoryCondition.map { "the condition \($0)" } ?? "no Art. 9(2) condition"),
                        datasets: Self.holders(special))
                }
            case "source":
                guard processing.operation == "collect" else { continue }
                if let source = processing.source {
                    if source.type != "data_subject" && source.name == nil {
                        found("\(job) collected personal data from a \(source.type.replacingOccurrences(of: "_", with: " ")) source without naming it")
                    }
                } else {
                    found("\(job) collected personal data without recording where it came from")
                }
            default:
                break
            }
        }
        return findings
    }

    private static func describe(_ categories: [String: [NodeName]]) -> String {
        categories.keys.sorted().joined(separator: ", ")
    }

    /// The datasets holding any of the categories, each once (a run has a few: compared in turn, not hashed).
    private static func holders(_ categories: [String: [NodeName]]) -> [NodeName] {
        var holders: [NodeName] = []
        for name in categories.values.joined() where !holders.contains(name) { holders.append(name) }
        return holders
    }
}
