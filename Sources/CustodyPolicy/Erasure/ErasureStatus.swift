import CustodyLineage
import CustodyLog
public import Foundation

/// Where an erasure request stands: each item open, closed (how, when, by which event) or held, and
/// whether the request is overdue (open past its Art. 12(3) month) or complete.
public struct ErasureStatus: Sendable {
    public let request: ErasureRequest
    /// When the status was worked out.
    public let at: Date
    public let items: [ItemState]

    public struct ItemState: Sendable {
        public enum State: String, Sendable {
            case open, closed, held
        }

        public let item: ErasureRequest.Item
        public let state: State
        /// What closed it: `erasure`, `DROP`, `TRUNCATE`, `OVERWRITE`, `notified`, `impossible`, or
        /// `before forgetting` (closed while the vault still knew the person; the event is not kept).
        public let how: String?
        /// When, and which event, when the log can tell.
        public let closedAt: Date?
        public let closedBy: Int?
        /// The run that removed the data, or the reason telling a recipient proved impossible.
        public let detail: String?
    }

    public var openItems: [ItemState] { items.filter { $0.state == .open } }
    /// Every item is closed or held.
    public var isComplete: Bool { openItems.isEmpty }
    /// Items are still open a calendar month after the request (Art. 12(3)).
    public var isOverdue: Bool { !isComplete && at > request.dueBy }
    /// `complete`, `overdue` or `open`, as reports and JSON write it.
    public var reportStatus: String { isComplete ? "complete" : isOverdue ? "overdue" : "open" }

    /// Works the status out: dataset items close at the first removal of the person recorded after the
    /// request (through their tokens while the vault knows them, through the request's reference once it
    /// forgot them, or a DROP, TRUNCATE or OVERWRITE), recipient items at the latest notice.
    init(request: ErasureRequest, tokens: [String], lineage: Lineage, at: Date) throws {
        self.request = request
        self.at = at
        let datasets = request.items.filter { $0.kind == .erase }.compactMap(\.dataset)
        let byID = try lineage.removals(recordedAs: tokens + [ErasureReference.token(request.id)], from: datasets, after: request.seq)
        items = request.items.map { item in
            switch item.kind {
            case .hold:
                return ItemState(item: item, state: .held, how: nil, closedAt: nil, closedBy: nil, detail: nil)
            case .notify:
                guard let notice = request.notices.last(where: { $0.recipient == item.recipient }) else {
                    return ItemState(item: item, state: .open, how: nil, closedAt: nil, closedBy: nil, detail: nil)
                }
                return ItemState(item: item, state: .closed, how: notice.impossible == nil ? "notified" : "impossible", closedAt: notice.at,
                    closedBy: notice.seq, detail: notice.impossible)
            case .erase:
                if let removal = item.dataset.flatMap({ byID[$0] }) {
                    return ItemState(item: item, state: .closed, how: removal.how, closedAt: removal.at.time, closedBy: removal.at.seq,
                        detail: removal.run.map { "\($0.job.id) run \($0.runID)" })
                }
                if let forgotten = request.forgotten, forgotten.closed.contains(item.id) {
                    return ItemState(item: item, state: .closed, how: "before forgetting", closedAt: nil, closedBy: nil, detail: nil)
                }
                return ItemState(item: item, state: .open, how: nil, closedAt: nil, closedBy: nil, detail: nil)
            }
        }
    }
}
