public import CustodyLineage
import CustodyModel
import CustodyPack
import CustodyPolicy
public import Foundation

/// The record of processing activities (Art. 30(1)(a)–(g)) as the log shows it: one activity per
/// controller and purpose with its jobs, legal bases, people, categories, recipients, transfers and
/// erasure time limits, beside the controller facts of the pack; and the drift between the two: the
/// recipients, purposes and categories the log shows that the pack does not declare.
public struct RoPAReport: Report {
    public static let kind = "ropa"

    /// Art. 30(1)(a) and (g): the controller facts of the policy pack.
    public let controller: Controller?
    public let activities: [Activity]
    public let drift: [Drift]
    public let evidence: EvidenceBlock

    public struct Controller: Encodable, Sendable {
        public let name: String
        public let contact: String?
        public let country: String?
        public let dpo: String?
        public let representative: String?
        public let supervisoryAuthority: String?
        public let securityMeasures: String?
        public let declaredRecipients: [String]
    }

    /// One processing activity: what one controller's runs did for one purpose.
    public struct Activity: Encodable, Sendable {
        public let controller: String
        public let controllerCountry: String?
        public let publicAuthority: Bool
        /// Art. 30(1)(b).
        public let purpose: String
        public let purposeName: String
        public let dpv: String?
        public let jobs: [String]
        public let legalBases: [String]
        /// Art. 30(1)(c).
        public let subjectTypes: [String]
        public let categories: [DSARReport.Category]
        /// Art. 30(1)(d).
        public let recipients: [Recipient]
        /// Art. 30(1)(e).
        public let transfers: [Transfer]
        /// Art. 30(1)(f): the pack's retention periods for the purpose and categories.
        public let retentionPeriods: [DSARReport.RetentionEntry]
        public let sources: [String]
        /// Where the activity's data is stored (countries, or the location as declared).
        public let locations: [String]
        public let runs: Int
        public let firstRun: String
        public let lastRun: String
    }

    public struct Recipient: Encodable, Sendable {
        public let name: String
        public let role: String
        public let country: String?
        public let internationalOrganisation: String?
        public let thirdCountry: Bool
    }

    public struct Transfer: Encodable, Sendable {
        public let destination: String
        public let branch: String
        public let basis: String?
    }

    /// Something the log shows that the pack does not declare.
    public struct Drift: Encodable, Sendable {
        /// `recipient`, `purpose` or `category`.
        public let kind: String
        public let value: String
        public let jobs: [String]
        public let events: [Int]
    }

    /// The record of a pinned view, judged at its horizon (`now` when it has no `asOf`).
    public init(lineage: CustodyLineage.Lineage, engineVersion: String, now: Date) throws {
        let pack = lineage.pack
        let (allRuns, datasets) = try lineage.runsAndDatasets()
        let runs = allRuns.filter { !CustodyRecord.jobs.contains($0.summary.job) }
        let profiles = Dictionary(datasets.map { ($0.dataset, $0) }, uniquingKeysWith: { first, _ in first })
        let findings = try PolicyEngine(pack: pack).check(lineage, now: now).findings.filter { $0.transfer != nil }
        let transfersByRun = Dictionary(grouping: findings.filter { $0.concerns.runID != nil }, by: { $0.concerns.runID! })
        evidence = try EvidenceBlock(lineage: lineage, engineVersion: engineVersion, now: now)
        controller = pack.controller.map {
            Controller(name: $0.name, contact: $0.contact, country: $0.country, dpo: $0.dpo, representative: $0.representative,
                supervisoryAuthority: $0.supervisoryAuthority, securityMeasures: $0.securityMeasures, declaredRecipients: $0.recipients)
        }

        struct Key: Hashable, Comparable {
            let controller: String, purpose: String
            static func < (a: Key, b: Key) -> Bool { (a.controller, a.purpose) < (b.controller, b.purpose) }
        }
        let fallbackController = pack.controller?.name ?? "controller not stated"
        var grouped: [Key: [RunOverview]] = [:]
        for run in runs {
            let processing = run.summary.processing
            for purpose in processing.purposes.isEmpty ? [""] : processing.purposes {
                grouped[Key(controller: processing.controller?.name ?? fallbackController, purpose: purpose), default: []].append(run)
            }
        }
        activities = grouped.keys.sorted().map { key in
            let members = grouped[key]!
            let touched = Set(members.flatMap { $0.inputs + $0.outputs }).compactMap { profiles[$0] }.sorted { $0.dataset < $1.dataset }
            let categoryKeys = Set(touched.flatMap { $0.categories.map(\.key) }).sorted()
            let categories = categoryKeys.map { DSARReport.Category(key: $0, taxonomy: pack.taxonomy) }
            var recipients: [String: Recipient] = [:]
            for run in members {
                guard let recipient = run.summary.processing.recipient else { continue }
                recipients[recipient.name] = Recipient(name: recipient.name, role: recipient.role, country: recipient.country,
                    internationalOrganisation: recipient.internationalOrganisation, thirdCountry: recipient.isOutsideEEA(in: pack))
            }
            var transfers: [String: Transfer] = [:]
            for run in members {
                for finding in transfersByRun[run.summary.runID] ?? [] {
                    guard let assessment = finding.transfer else { continue }
                    let transfer = Transfer(destination: assessment.destination, branch: assessment.branch.rawValue, basis: assessment.basis)
                    transfers[[transfer.destination, transfer.branch, transfer.basis ?? ""].joined(separator: "\u{1F}")] = transfer
                }
            }
            let controllerFacts = members.lazy.compactMap(\.summary.processing.controller).first
            let purposeEntry = pack.taxonomy.purpose(key.purpose)
            let started = members.map(\.summary.started).sorted()
            return Activity(controller: key.controller, controllerCountry: controllerFacts?.country ?? (controllerFacts == nil ? pack.controller?.country : nil),
                publicAuthority: controllerFacts?.publicAuthority ?? false,
                purpose: key.purpose.isEmpty ? "unstated" : key.purpose,
                purposeName: key.purpose.isEmpty ? "No purpose stated" : (purposeEntry.isKnown ? purposeEntry.entry!.name : key.purpose),
                dpv: purposeEntry.isKnown ? purposeEntry.entry?.dpv : nil,
                jobs: Set(members.map(\.summary.job.id)).sorted(),
                legalBases: Set(members.compactMap(\.summary.processing.legalBasis)).sorted(),
                subjectTypes: Set(touched.flatMap(\.subjectTypes)).sorted(),
                categories: categories,
                recipients: recipients.keys.sorted().map { recipients[$0]! },
                transfers: transfers.keys.sorted().map { transfers[$0]! },
                retentionPeriods: pack.retention.periods(forPurpose: key.purpose.isEmpty ? nil : key.purpose, categories: categoryKeys)
                    .map(DSARReport.RetentionEntry.init),
                sources: Set(members.compactMap { run in
                    run.summary.processing.source.map { [$0.type, $0.name].compactMap { $0 }.joined(separator: ": ") }
                }).sorted(),
                locations: Set(touched.compactMap { $0.location.country?.code ?? $0.location.text }).sorted(),
                runs: members.count,
                firstRun: started.first.map { RFC3339.format($0.time) } ?? "",
                lastRun: started.last.map { RFC3339.format($0.time) } ?? "")
        }
        drift = Self.drift(runs: runs, datasets: datasets, pack: pack)
    }

    private static func drift(runs: [RunOverview], datasets: [DatasetProfile], pack: PolicyPack) -> [Drift] {
        var found: [String: (kind: String, value: String, jobs: Set<String>, events: Set<Int>)] = [:]
        func note(_ kind: String, _ value: String, job: String?, events: [Int]) {
            let key = kind + "\u{1F}" + value
            var entry = found[key] ?? (kind, value, [], [])
            if let job { entry.jobs.insert(job) }
            entry.events.formUnion(events)
            found[key] = entry
        }
        let declared = Set(pack.controller?.recipients ?? [])
        for run in runs {
            let processing = run.summary.processing
            if let recipient = processing.recipient, !declared.contains(recipient.name) {
                note("recipient", recipient.name, job: run.summary.job.id, events: run.summary.events)
            }
            for purpose in processing.purposes where !pack.taxonomy.purpose(purpose).isKnown {
                note("purpose", purpose, job: run.summary.job.id, events: run.summary.events)
            }
        }
        for dataset in datasets {
            for category in dataset.categories where !pack.taxonomy.category(category.key).isKnown {
                note("category", category.key, job: nil, events: dataset.evidence)
            }
        }
        return found.keys.sorted().map { key in
            let entry = found[key]!
            return Drift(kind: entry.kind, value: entry.value, jobs: entry.jobs.sorted(), events: entry.events.sorted())
        }
    }
}
