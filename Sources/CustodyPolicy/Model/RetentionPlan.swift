public import CustodyLineage
public import CustodyPack
public import Foundation

/// What is past or near its retention deadline as of a moment: an erasure plan, dataset by dataset,
/// with what is kept under an Art. 17(3) hold and why.
public struct RetentionPlan: Sendable {
    /// One dataset with a deadline.
    public struct Item: Sendable {
        public enum Status: String, Sendable {
            /// Past its deadline: erase or anonymise it.
            case overdue
            /// Due within the pack's warning window.
            case dueSoon = "due_soon"
            /// Past or near its deadline, but an Art. 17(3) hold keeps it.
            case held
        }

        public let dataset: NodeName
        public let location: DatasetLocation
        public let status: Status
        public let deadline: Date
        /// Whole days past the deadline (negative: days left).
        public let daysOverdue: Int
        /// When the period's clock started: the data's first write, or (a presence clock) the arrival of
        /// the earliest person still there.
        public let clockStart: EventStamp
        /// For a first-write clock, where the data was first written (the dataset, or the one it was copied from).
        public let firstWrittenIn: NodeName?
        /// For a presence clock, how many of the people there are past their own deadline.
        public let peoplePastDeadline: Int?
        /// The period that set the deadline, and the purpose it was for (nil: the data's categories).
        public let period: RetentionPeriod
        public let purpose: String?
        public let hold: RetentionHold?
        /// People an event named on the dataset whose presence has not ended.
        public let confirmedSubjects: Int
        public let evidence: [Int]
    }

    /// Overdue first, then due soon, then held; each by deadline, then dataset.
    public let items: [Item]
    /// The moment judged.
    public let at: Date
    public let packDigest: String
}
