public import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
public import Foundation

/// What a leak of one dataset exposes (Art. 33, 34): the people and categories affected, with the Art.
/// 9 and 10 flags that make a high risk likely, the copies made from it downstream and the recipients
/// they went to, and the 72-hour clock from the moment the controller became aware.
public struct BreachReport: Report {
    public static let kind = "breach"

    public let dataset: DatasetEntry
    public let awareAt: String?
    /// Art. 33(1): 72 hours after becoming aware (the pack's `breach.notificationHours`).
    public let notifyBy: String?
    public let notificationHours: Int
    public let subjects: Int
    public let confirmedSubjects: Int
    public let categories: [Category]
    public let specialCategories: Bool
    public let criminalData: Bool
    public let downstreamCopies: [DatasetEntry]
    public let recipients: [Recipient]
    public let controller: DSARReport.ControllerEntry?
    public let evidence: EvidenceBlock

    public struct DatasetEntry: Encodable, Sendable {
        public let id: String
        public let namespace: String
        public let name: String
        public let location: String?
        public let country: String?
        public let inEEA: Bool?
    }

    public struct Category: Encodable, Sendable {
        public let key: String
        public let name: String
        public let specialCategory: String?
        public let criminal: Bool
        public let columns: [String]
    }

    public struct Recipient: Encodable, Sendable {
        public let name: String
        public let role: String
        public let country: String?
        public let at: String
        public let event: Int
        public let job: String
        public let datasets: [String]
    }

    /// The blast radius of `node` (a dataset) in a pinned view, at its horizon.
    public init(lineage: CustodyLineage.Lineage, dataset node: String, awareAt: Date?, engineVersion: String, now: Date) throws {
        let scope = try lineage.breach(of: node)
        let pack = lineage.pack
        evidence = try EvidenceBlock(lineage: lineage, engineVersion: engineVersion, now: now)
        func entry(_ name: NodeName, _ location: DatasetLocation?) -> DatasetEntry {
            DatasetEntry(id: name.id, namespace: name.namespace, name: name.name, location: location?.text, country: location?.country?.code,
                inEEA: location?.inEEA)
        }
        dataset = entry(scope.dataset, scope.location)
        self.awareAt = awareAt.map(RFC3339.format)
        notificationHours = pack.breachNotificationHours
        notifyBy = awareAt.map { RFC3339.format($0.addingTimeInterval(TimeInterval(pack.breachNotificationHours) * 3600)) }
        subjects = scope.subjects
        confirmedSubjects = scope.confirmedSubjects
        categories = scope.categories.map { held in
            let resolved = pack.taxonomy.category(held.key)
            return Category(key: held.key, name: resolved.isKnown ? resolved.entry!.name : held.key, specialCategory: resolved.specialCategory,
                criminal: resolved.criminal, columns: held.columns)
        }
        specialCategories = categories.contains { $0.specialCategory != nil }
        criminalData = categories.contains(where: \.criminal)
        downstreamCopies = try lineage.datasets(scope.downstream).map { entry($0.dataset, $0.location) }
        recipients = scope.disclosures.map {
            Recipient(name: $0.recipient.name, role: $0.recipient.role, country: $0.recipient.country, at: RFC3339.format($0.at.time), event: $0.at.seq,
                job: $0.run.job.name, datasets: $0.datasets.map(\.name))
        }
        controller = pack.controller.map(DSARReport.ControllerEntry.init)
    }
}
