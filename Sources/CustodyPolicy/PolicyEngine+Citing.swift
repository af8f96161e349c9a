public import CustodyLineage
public import Foundation

extension PolicyEngine {
    /// Events of the log judged together by `forEachFinding(citing:in:now:_:)`: what one part of the store
    /// holds in memory at a time.
    public static let eventsPerPart = 10_000

    /// The findings that cite events of `range`, a part of the log at a time, so that what is held in memory
    /// follows the size of a part, not the log's: each part (`eventsPerPart` events) is judged on what its
    /// events touch, as `decide` judges proposed events (`Lineage.neighbourhood(ofEvents:)`), which finds
    /// about those runs and datasets what a whole-store `check` would. (The audit trail does not use it yet:
    /// on a whole log it is several times slower than `check`; see docs/performance.md.)
    ///
    /// A finding comes once, with the part holding the first of its events in `range`; findings are in the
    /// order of that event, and those citing the same event first in `check`'s order. So the findings, and
    /// their order, do not depend on the size of the parts. Judged as of the view's `asOf`, else `now`.
    ///
    /// - Parameter body: called once per part that has findings, in order.
    public func forEachFinding(citing range: Range<Int>, in lineage: Lineage, now: Date, eventsPerPart: Int = Self.eventsPerPart,
                               _ body: ([Finding]) throws -> Void) throws {
        precondition(eventsPerPart > 0, "a part of no events")
        guard !range.isEmpty else { return }
        let at = lineage.horizon.asOf ?? now
        // Both are read from the whole store, and small: read once, judged with every part (only the part
        // holding a finding's first event keeps it).
        let returns = try lineage.returnsAfterErasure(), named = try lineage.namedAfterForgetting()
        var start = range.lowerBound
        while start < range.upperBound {
            let part = start..<min(start + eventsPerPart, range.upperBound)
            start = part.upperBound
            let (runs, datasets) = try lineage.neighbourhood(ofEvents: part)
            let facts = ProcessingFacts(runs: runs, datasets: datasets, pack: pack, returnsAfterErasure: returns, namedAfterForgetting: named)
            var kept: [(first: Int, finding: Finding)] = []
            for finding in orderedFindings(in: facts, at: at) {
                guard let first = finding.evidence.lazy.filter(range.contains).min(), part.contains(first) else { continue }
                kept.append((first, finding))
            }
            guard !kept.isEmpty else { continue }
            // A stable sort by first event keeps `check`'s order among findings that cite the same event first.
            let ordered = kept.indices.sorted { (kept[$0].first, $0) < (kept[$1].first, $1) }.map { kept[$0].finding }
            try body(ordered)
        }
    }
}
