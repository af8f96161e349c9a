import CustodyLineage
import CustodyModel
import CustodyPack
import Foundation

/// The retention rules: data past its deadline (a warning within the window before it), and datasets that
/// declare a longer retention than the pack allows.
struct RetentionCheck {
    let deadlines: RetentionDeadlines
    let rule: PolicyRule

    private var facts: ProcessingFacts { deadlines.facts }
    private var at: Date { deadlines.at }

    func findings() -> [Finding] {
        let warning = facts.pack.retention.warning
        return deadlines.deadlines().compactMap { deadline in
            guard deadline.hold == nil else { return nil }
            let origin = deadline.firstWrittenIn == deadline.dataset.dataset ? "its first write" : "the first write of \(deadline.firstWrittenIn.name)"
            let why = "\(deadline.period.id): \(deadline.period.period) from \(origin) on \(RetentionDeadlines.day(deadline.firstWrite.time))"
                + (deadline.purpose.map { " for \($0)" } ?? "")
            let evidence = facts.evidence(of: deadline.dataset)
            if deadline.deadline < at {
                let days = Int(at.timeIntervalSince(deadline.deadline) / 86_400)
                return Finding(rule: rule, concerns: Concern(dataset: deadline.dataset.dataset),
                    summary: "\(deadline.dataset.dataset.name) is \(days) days past its retention deadline \(RetentionDeadlines.day(deadline.deadline)) (\(why))",
                    evidence: evidence)
            }
            if RetentionDeadlines.adding(warning, to: at) >= deadline.deadline {
                let days = Int(deadline.deadline.timeIntervalSince(at) / 86_400)
                return Finding(rule: rule, severity: rule.severity == .info ? .info : .warning, concerns: Concern(dataset: deadline.dataset.dataset),
                    summary: "\(deadline.dataset.dataset.name) reaches its retention deadline \(RetentionDeadlines.day(deadline.deadline)) in \(days) days (\(why))",
                    evidence: evidence)
            }
            return nil
        }
    }

    /// Datasets whose declared retention runs past the pack's deadline for them.
    func declarationFindings() -> [Finding] {
        deadlines.deadlines().compactMap { deadline in
            guard let declared = deadline.dataset.retention.flatMap(ISO8601Duration.init),
                RetentionDeadlines.adding(declared, to: deadline.firstWrite.time) > deadline.deadline
            else { return nil }
            return Finding(rule: rule, concerns: Concern(dataset: deadline.dataset.dataset),
                summary: "\(deadline.dataset.dataset.name) declares a retention of \(declared), longer than the pack's \(deadline.period.period) (\(deadline.period.id))",
                evidence: facts.evidence(of: deadline.dataset))
        }
    }
}
