import CustodyLineage
import CustodyModel
import CustodyPack
import Foundation

/// When each dataset's personal data must be gone (Art. 5(1)(e)): the pack's periods that apply to the
/// purposes it serves and the categories it holds, counted from the first completed write of the data:
/// of the dataset itself, or of the dataset a copy was made from (a copy made later does not make the
/// data younger). For one purpose the shortest period wins; over several purposes the latest deadline.
/// An Art. 17(3) hold suspends the deadline.
struct RetentionDeadlines {
    let facts: ProcessingFacts
    /// The moment judged: `--as-of`, else now.
    let at: Date

    /// One dataset's deadline and how it was reached.
    struct Deadline {
        let dataset: DatasetProfile
        /// When the governing period's clock started: the data's first write (here or in the dataset it
        /// was copied from, `firstWrittenIn`), or the arrival of the earliest person still there.
        let start: EventStamp
        let firstWrittenIn: NodeName?
        /// For a presence clock: how many of the people there are past their own deadline.
        let peoplePast: Int?
        let deadline: Date
        /// The purpose (nil: the data's categories) whose period sets the deadline, and that period.
        let purpose: String?
        let period: RetentionPeriod
        let hold: RetentionHold?
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func adding(_ duration: ISO8601Duration, to date: Date) -> Date {
        let components = DateComponents(year: duration.years, month: duration.months, day: duration.weeks * 7 + duration.days,
            hour: duration.hours, minute: duration.minutes, second: duration.seconds)
        return calendar.date(byAdding: components, to: date) ?? .distantFuture
    }

    func deadlines() -> [Deadline] {
        let retention = facts.pack.retention
        guard !retention.periods.isEmpty else { return [] }
        var result: [Deadline] = []
        for dataset in facts.datasetsInOrder where facts.holdsPersonalData(dataset) {
            guard let first = dataset.firstWrite else { continue }
            let (firstWrite, origin) = (first.at, first.dataset)
            let categories = dataset.categories.map(\.key)
            // A presence clock starts at the earliest person still there; where no event named anyone, at the first write.
            func start(of period: RetentionPeriod) -> EventStamp {
                period.clock == .presence ? dataset.confirmedArrivals.first ?? firstWrite : firstWrite
            }
            // Per purpose, the shortest applicable period; category-only periods apply to every purpose.
            var perPurpose: [(purpose: String?, period: RetentionPeriod, deadline: Date)] = []
            for purpose in dataset.purposes.isEmpty ? [nil] : dataset.purposes.map(Optional.some) {
                let applicable = retention.periods(forPurpose: purpose, categories: categories)
                let shortest = applicable.map { ($0, Self.adding($0.period, to: start(of: $0).time)) }.min { $0.1 < $1.1 }
                if let (period, deadline) = shortest { perPurpose.append((purpose, period, deadline)) }
            }
            guard let latest = perPurpose.max(by: { $0.deadline < $1.deadline }) else { continue }
            let byPresence = latest.period.clock == .presence && !dataset.confirmedArrivals.isEmpty
            result.append(Deadline(dataset: dataset, start: start(of: latest.period), firstWrittenIn: byPresence ? nil : origin,
                peoplePast: byPresence ? dataset.confirmedArrivals.count { Self.adding(latest.period.period, to: $0.time) < at } : nil,
                deadline: latest.deadline, purpose: latest.purpose, period: latest.period, hold: retention.holds.first { $0.covers(dataset.dataset.id) }))
        }
        return result
    }

    /// The plan: every dataset past or near its deadline, held ones included.
    func plan() -> [RetentionPlan.Item] {
        let warning = facts.pack.retention.warning
        let items = deadlines().compactMap { deadline -> RetentionPlan.Item? in
            let due = Self.adding(warning, to: at) >= deadline.deadline
            guard due else { return nil }
            let status: RetentionPlan.Item.Status = deadline.hold != nil ? .held : deadline.deadline < at ? .overdue : .dueSoon
            return RetentionPlan.Item(dataset: deadline.dataset.dataset, location: deadline.dataset.location, status: status,
                deadline: deadline.deadline, daysOverdue: Int((at.timeIntervalSince(deadline.deadline) / 86_400).rounded(.down)),
                clockStart: deadline.start, firstWrittenIn: deadline.firstWrittenIn, peoplePastDeadline: deadline.peoplePast,
                period: deadline.period, purpose: deadline.purpose,
                hold: deadline.hold, confirmedSubjects: deadline.dataset.confirmedSubjects, evidence: Array(Set(facts.evidence(of: deadline.dataset))).sorted())
        }
        let rank: [RetentionPlan.Item.Status: Int] = [.overdue: 0, .dueSoon: 1, .held: 2]
        return items.sorted { (rank[$0.status]!, $0.deadline, $0.dataset) < (rank[$1.status]!, $1.deadline, $1.dataset) }
    }

    static func day(_ date: Date) -> String { String(RFC3339.format(date).prefix(10)) }
}
