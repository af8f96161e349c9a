public import CustodyLineage
import CustodyModel
import CustodyPack
public import CustodyPolicy
public import Foundation

/// An erasure request and where it stands (Art. 17, 19, 12(3)): the datasets to erase the person from,
/// with each item open or closed and by which event; the datasets an Art. 17(3) hold keeps and why; the
/// recipients to tell, with what they received and when, and whether they were told; and whether
/// Custody has forgotten the person.
public struct ErasureReport: Report {
    public static let kind = "erasure"

    public let request: Request
    public let open: Int
    public let closed: Int
    public let held: Int
    public let datasets: [DatasetItem]
    public let holds: [HoldItem]
    public let recipients: [RecipientItem]
    public let evidence: EvidenceBlock

    public struct Request: Encodable, Sendable {
        public let id: String
        public let event: Int
        public let received: String
        /// One calendar month after it was received (Art. 12(3)).
        public let dueBy: String
        /// `open`, `overdue` or `complete`.
        public let status: String
        public let ground: String?
        /// The Art. 17(1) letter of the ground.
        public let article: String?
        public let reason: String?
        public let identifiers: Int
        /// The salted commitment that names the person in the log.
        public let commitment: String
        /// When Custody forgot the person, and why (`complete` or `shred`).
        public let forgotten: String?
        public let forgottenBecause: String?
    }

    public struct DatasetItem: Encodable, Sendable {
        public let dataset: String
        public let location: String?
        /// The recipient the dataset was disclosed to, for a recipient's copy.
        public let recipient: String?
        /// `open` or `closed`.
        public let state: String
        public let closing: Closing?
    }

    /// How an item was closed.
    public struct Closing: Encodable, Sendable {
        /// `erasure`, `DROP`, `TRUNCATE`, `OVERWRITE`, `before forgetting`, `notified` or `impossible`.
        public let how: String
        /// When, and the event that did it, when the log can still tell.
        public let at: String?
        public let event: Int?
        /// The run that removed the data, or why telling a recipient proved impossible.
        public let detail: String?

        init?(_ state: ErasureStatus.ItemState) {
            guard let how = state.how else { return nil }
            self.how = how
            at = state.closedAt.map(RFC3339.format)
            event = state.closedBy
            detail = state.detail
        }
    }

    public struct HoldItem: Encodable, Sendable {
        public let dataset: String
        public let location: String?
        public let hold: String
        public let ground: String
        /// The Art. 17(3) letter.
        public let article: String
        public let reason: String
    }

    public struct RecipientItem: Encodable, Sendable {
        public let name: String
        public let role: String?
        public let country: String?
        public let received: [Received]
        /// `open` or `closed`.
        public let state: String
        public let closing: Closing?
    }

    public struct Received: Encodable, Sendable {
        public let dataset: String
        public let at: String
    }

    public init(status: ErasureStatus, lineage: CustodyLineage.Lineage, engineVersion: String, now: Date) throws {
        let request = status.request
        self.request = Request(id: request.id, event: request.seq, received: RFC3339.format(request.receivedAt), dueBy: RFC3339.format(request.dueBy),
            status: status.reportStatus, ground: request.ground,
            article: request.ground.flatMap { ErasureRequest.grounds[$0] }, reason: request.reason, identifiers: request.identifiers,
            commitment: request.commitment, forgotten: request.forgotten.map { RFC3339.format($0.at) }, forgottenBecause: request.forgotten?.why)
        let states = status.items
        open = states.count { $0.state == .open }
        closed = states.count { $0.state == .closed }
        held = states.count { $0.state == .held }
        datasets = states.filter { $0.item.kind == .erase }.map { state in
            DatasetItem(dataset: state.item.dataset ?? "", location: state.item.location, recipient: state.item.recipient, state: state.state.rawValue,
                closing: Closing(state))
        }
        holds = states.filter { $0.item.kind == .hold }.map { state in
            let ground = state.item.holdGround ?? ""
            return HoldItem(dataset: state.item.dataset ?? "", location: state.item.location, hold: state.item.hold ?? "", ground: ground,
                article: RetentionHold.grounds[ground] ?? "", reason: state.item.holdReason ?? "")
        }
        recipients = states.filter { $0.item.kind == .notify }.map { state in
            RecipientItem(name: state.item.recipient ?? "", role: state.item.role, country: state.item.country,
                received: state.item.received.map { Received(dataset: $0.dataset, at: $0.at) }, state: state.state.rawValue, closing: Closing(state))
        }
        evidence = try EvidenceBlock(lineage: lineage, engineVersion: engineVersion, now: now)
    }
}
