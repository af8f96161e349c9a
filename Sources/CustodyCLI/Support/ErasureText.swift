import CustodyModel
import CustodyPack
import CustodyPolicy
import Foundation

/// How `custody erase` writes a request's status for people, and the list of requests.
enum ErasureText {
    static func status(_ status: ErasureStatus) -> String {
        let request = status.request
        let state = status.isComplete ? "complete" : status.isOverdue ? "OVERDUE" : "open"
        var out = "Erasure request \(request.id) (event \(request.seq)): \(state)\n"
        out += "  received \(RFC3339.format(request.receivedAt)), due by \(RFC3339.format(request.dueBy)) (Art. 12(3))\n"
        if let ground = request.ground { out += "  ground: \(ground) (Art. \(ErasureRequest.grounds[ground] ?? "17(1)"))\n" }
        if let reason = request.reason { out += "  reason: \(reason)\n" }
        if let forgotten = request.forgotten {
            out += "  forgotten on \(RFC3339.format(forgotten.at)) (\(forgotten.why == "shred" ? "--shred" : "every item closed")): "
                + "the vault entry and the salt are deleted; a tombstone leads to this request only\n"
        }
        let counts = (open: status.openItems.count, closed: status.items.count { $0.state == .closed }, held: status.items.count { $0.state == .held })
        out += "  \(counts.open) open, \(counts.closed) closed, \(counts.held) kept under Art. 17(3)\n"
        let erase = status.items.filter { $0.item.kind == .erase }
        if !erase.isEmpty {
            out += "\nErase the person from:\n"
            for state in erase {
                out += "  [\(state.state.rawValue)] \(state.item.dataset ?? "")"
                    + (state.item.location.map { " (\($0))" } ?? "") + (state.item.recipient.map { ", copy at \($0)" } ?? "") + "\n"
                if let closing = closing(state) { out += "      \(closing)\n" }
            }
        }
        let held = status.items.filter { $0.item.kind == .hold }
        if !held.isEmpty {
            out += "\nKept under Art. 17(3):\n"
            for state in held {
                let ground = state.item.holdGround ?? ""
                out += "  \(state.item.dataset ?? ""): hold \(state.item.hold ?? "") (\(ground), Art. \(RetentionHold.grounds[ground] ?? ground)): "
                    + "\(state.item.holdReason ?? "")\n"
            }
        }
        let notify = status.items.filter { $0.item.kind == .notify }
        if !notify.isEmpty {
            out += "\nTell these recipients (Art. 19):\n"
            for state in notify {
                out += "  [\(state.state.rawValue)] \(state.item.recipient ?? "")"
                    + ([state.item.role, state.item.country].compactMap { $0 }.isEmpty ? "" : " (" + [state.item.role, state.item.country].compactMap { $0 }.joined(separator: ", ") + ")") + "\n"
                for received in state.item.received { out += "      received \(received.dataset) on \(received.at)\n" }
                if let closing = closing(state) { out += "      \(closing)\n" }
            }
        }
        if !status.isComplete && request.forgotten == nil {
            out += "\nCustody forgets the person when every item is closed, or at once with: custody erase ID… --shred\n"
        }
        return out
    }

    private static func closing(_ state: ErasureStatus.ItemState) -> String? {
        guard let how = state.how else { return nil }
        var text = how == "before forgetting" ? "closed before the person was forgotten" : how == "impossible" ? "impossible to tell" : how
        if let at = state.closedAt { text += " on \(RFC3339.format(at))" }
        if let seq = state.closedBy { text += " (event \(seq))" }
        if let detail = state.detail { text += how == "impossible" ? ": \(detail)" : " by \(detail)" }
        return text
    }

    static func list(_ statuses: [ErasureStatus]) -> String {
        guard !statuses.isEmpty else { return "No erasure requests in the store.\n" }
        var out = ""
        for status in statuses {
            let state = status.isComplete ? "complete" : status.isOverdue ? "OVERDUE" : "open"
            out += "\(status.request.id)  received \(RFC3339.format(status.request.receivedAt).prefix(10))  \(state)"
                + ", \(status.openItems.count) of \(status.items.count) items open"
                + (status.request.forgotten != nil ? ", forgotten" : "") + "\n"
        }
        return out
    }

    static func json(_ statuses: [ErasureStatus]) -> String {
        JSONOutput.object([("requests", .array(statuses.map { status in
            .object([
                ("id", .string(status.request.id)), ("event", .number(status.request.seq)),
                ("received", .string(RFC3339.format(status.request.receivedAt))), ("dueBy", .string(RFC3339.format(status.request.dueBy))),
                ("status", .string(status.reportStatus)),
                ("open", .number(status.openItems.count)), ("items", .number(status.items.count)),
                ("forgotten", status.request.forgotten.map { .string(RFC3339.format($0.at)) } ?? .null),
            ])
        }))])
    }
}
