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
            let why = "\(deadline.period.id): \(deadline.period.period) from \(Self.clock(deadline))" + (deadline.purpose.map { " for \($0)" } ?? "")
            let evidence = facts.evidence(of: deadline.dataset)
            if deadline.deadline < at {
                let days = Int(at.timeIntervalSince(deadline.deadline) / 86_400)
                return Finding(rule: rule, concerns: Concern(dataset: deadline.dataset.dataset, datasetID: deadline.dataset.storeID),
                    summary: "\(deadline.dataset.dataset.name) is \(days) days past its retention deadline \(RetentionDeadlines.day(deadline.deadline)) (\(why))",
                    evidence: evidence)
            }
            if RetentionDeadlines.adding(warning, to: at) >= deadline.deadline {
                let days = Int(deadline.deadline.timeIntervalSince(at) / 86_400)
                return Finding(rule: rule, severity: rule.severity == .info ? .info : .warning, concerns: Concern(dataset: deadline.dataset.dataset, datasetID: deadline.dataset.storeID),
                    summary: "\(deadline.dataset.dataset.name) reaches its retention deadline \(RetentionDeadlines.day(deadline.deadline)) in \(days) days (\(why))",
                    evidence: evidence)
            }
            return nil
        }
    }

    /// Where the deadline's clock started, in words.
    static func clock(_ deadline: RetentionDeadlines.Deadline) -> String {
        let day = RetentionDeadlines.day(deadline.start.time)
        guard let origin = deadline.firstWrittenIn else {
            let people = deadline.dataset.confirmedArrivals.count
            return "the arrival of the earliest person still there on \(day); \(deadline.peoplePast ?? 0) of \(people) people past it"
        }
        return (origin == deadline.dataset.dataset ? "its first write" : "the first write of \(origin.name)") + " on \(day)"
    }

    /// Datasets whose declared retention runs past the pack's deadline for them.
    func declarationFindings() -> [Finding] {
        deadlines.deadlines().compactMap { deadline in
            guard let declared = deadline.dataset.retention.flatMap(ISO8601Duration.init),
                RetentionDeadlines.adding(declared, to: deadline.start.time) > deadline.deadline
            else { return nil }
            return Finding(rule: rule, concerns: Concern(dataset: deadline.dataset.dataset, datasetID: deadline.dataset.storeID),
                summary: "\(deadline.dataset.dataset.name) declares a retention of \(declared), longer than the pack's \(deadline.period.period) (\(deadline.period.id))",
                evidence: facts.evidence(of: deadline.dataset))
        }
    }
}
