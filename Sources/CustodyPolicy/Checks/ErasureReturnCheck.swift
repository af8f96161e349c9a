import CustodyLineage
import CustodyPack

/// Processing of a person's data after it was erased (Art. 17): people written into a dataset again
/// after an erasure from it (`after-erasure`), and people named again after Custody forgot them at the
/// end of their erasure request (`after-forgetting`). A person who came back of their own accord (a new
/// sign-up) is a false alarm, which is why the default severities are warnings.
struct ErasureReturnCheck {
    let rule: PolicyRule

    func findings(returns: [ReturnAfterErasure]) -> [Finding] {
        returns.map { back in
            let by = back.returnedBy.map { " by \($0.job.name)" } ?? " by an inventory event"
            let people = back.people == 1 ? "A person erased" : "\(back.people) people erased"
            let were = back.people == 1 ? "was" : "were"
            return Finding(rule: rule, concerns: Concern(dataset: back.dataset, run: back.returnedBy),
                summary: "\(people) from \(back.dataset.name) at event \(back.erased.seq) \(were) written into it again\(by) at event \(back.returned.seq)",
                evidence: [back.erased.seq, back.returned.seq] + (back.erasedBy?.events ?? []) + (back.returnedBy?.events ?? []))
        }
    }

    /// Events that named a person Custody had forgotten: new processing of someone who asked to be erased.
    func findings(namedAfterForgetting named: [NamedAfterForgetting]) -> [Finding] {
        named.map { event in
            let by = event.run.map { " by \($0.job.name)" } ?? ""
            return Finding(rule: rule, concerns: Concern(run: event.run),
                summary: "Event \(event.seq)\(by) names a person whom erasure request \(event.request) had erased and Custody had forgotten; "
                    + "they were recorded under a new token",
                evidence: [event.seq])
        }
    }
}
