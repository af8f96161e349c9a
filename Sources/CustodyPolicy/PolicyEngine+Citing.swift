public import CustodyLineage
public import Foundation

extension PolicyEngine {
    /// Events of the log judged together by `forEachFinding(citing:in:now:eventsPerPart:profilesKept:_:)`: what one part
    /// of the store is held in memory for.
    public static let eventsPerPart = 10_000

    /// Dataset profiles kept from one part to the next (`NeighbourhoodCache`): a source read all over the log is
    /// profiled once, not in every part. About 1.2 KB each on the benchmark, so at most about 120 MB.
    public static let profilesKept = 100_000

    /// The findings that cite events of `range`, judged a part of the log at a time, so that what is held in
    /// memory follows the size of a part and the profiles kept, not the log's: the audit trail's findings. Each part
    /// (`eventsPerPart` events) is judged on what its events touch, as `decide` judges proposed events
    /// (`Lineage.neighbourhood(ofEvents:in:keeping:)`), which finds about those runs and datasets what a whole-store
    /// `check` would.
    ///
    /// A finding comes once, with the part holding the last of its events in `range`: the event that
    /// completed what proves it, as far as the range shows. Findings are in the order of that event, and
    /// those that share it in `check`'s order; so neither the findings nor their order depend on the size of
    /// the parts. (By the first event instead, the part that collected a source would judge every later run
    /// that read it.) Judged as of the view's `asOf`, else `now`.
    ///
    /// - Parameters:
    ///   - profilesKept: how many dataset profiles are kept from one part to the next, and as many datasets' carried
    ///     categories in a view of an earlier time (`NeighbourhoodCache`).
    ///   - body: called once per part that has findings, in order.
    public func forEachFinding(citing range: Range<Int>, in lineage: Lineage, now: Date, eventsPerPart: Int = Self.eventsPerPart,
                               profilesKept: Int = Self.profilesKept, _ body: ([Finding]) throws -> Void) throws {
        precondition(eventsPerPart > 0, "a part of no events")
        guard !range.isEmpty else { return }
        let at = lineage.horizon.asOf ?? now
        // Both are read from the whole store, and small: read once, judged with every part (only the part
        // holding a finding's last event keeps it).
        let returns = try lineage.returnsAfterErasure(), named = try lineage.namedAfterForgetting()
        let cache = NeighbourhoodCache(capacity: profilesKept)
        var start = range.lowerBound
        while start < range.upperBound {
            let part = start..<min(start + eventsPerPart, range.upperBound)
            start = part.upperBound
            let (runs, datasets) = try lineage.neighbourhood(ofEvents: part, in: range, keeping: cache)
            let facts = ProcessingFacts(runs: runs, datasets: datasets, pack: pack, returnsAfterErasure: returns, namedAfterForgetting: named)
            var cited: [(last: Int, finding: Finding)] = []
            for finding in orderedFindings(in: facts, at: at) {
                guard let last = finding.evidence.lazy.filter(range.contains).max(), part.contains(last) else { continue }
                cited.append((last, finding))
            }
            guard !cited.isEmpty else { continue }
            // A stable sort by last event keeps `check`'s order among findings that share it.
            let ordered = cited.indices.sorted { (cited[$0].last, $0) < (cited[$1].last, $1) }.map { cited[$0].finding }
            try body(ordered)
        }
    }
}
