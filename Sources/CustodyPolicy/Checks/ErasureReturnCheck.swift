import CustodyLineage
import CustodyPack

/// Processing of a person's data after it was erased (Art. 17): people written into a dataset again
/// after an erasure from it. A person who came back of their own accord (a new sign-up) is a false
/// alarm, which is why the default severity is a warning.
struct ErasureReturnCheck {
    let returns: [ReturnAfterErasure]
    let rule: PolicyRule

    func findings() -> [Finding] {
        returns.map { back in
            let by = back.returnedBy.map { " by \($0.job.name)" } ?? " by an inventory event"
            let people = back.people == 1 ? "A person erased" : "\(back.people) people erased"
            let were = back.people == 1 ? "was" : "were"
            return Finding(rule: rule, concerns: Concern(dataset: back.dataset, run: back.returnedBy),
                summary: "\(people) from \(back.dataset.name) at event \(back.erased.seq) \(were) written into it again\(by) at event \(back.returned.seq)",
                evidence: [back.erased.seq, back.returned.seq] + (back.erasedBy?.events ?? []) + (back.returnedBy?.events ?? []))
        }
    }
}
