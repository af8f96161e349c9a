import CustodyLog

/// The first removal of one person from each of some datasets after a given event: an erasure naming
/// one of the strings recorded for them (tokens, or a reference to their erasure request), or a DROP,
/// TRUNCATE or OVERWRITE of the dataset. Erasure requests close their items with it.
struct RemovalQuery {
    let context: QueryContext

    func firstRemovals(recordedAs names: [String], from datasets: [Int64], after seq: Int) throws -> [Int64: SubjectTrail.Removal] {
        let personal = try RawStatement(cached: context.db, sql: """
            SELECT seq, run_id, event_time FROM lineage_subject WHERE token = ? AND dataset_id = ? AND kind = 'e' AND seq < ?
            """)
        var found: [Int64: SubjectTrail.Removal] = [:]
        for dataset in datasets {
            var best: (at: Moment, how: String, run: RunSummary?)?
            func consider(_ at: Moment, _ how: String, _ run: RunSummary?) {
                // What the request asked for is done only by what took effect after it was recorded.
                guard at.seq > seq, best.map({ at < $0.at }) ?? true else { return }
                best = (at, how, run)
            }
            for name in names {
                var rows: [(seq: Int, run: Int64?, time: Int64)] = []
                try personal.forEachRow(.text(name), .integer(Int(dataset)), .integer(context.horizon.knownSize)) {
                    rows.append((personal.int(0), personal.isNull(1) ? nil : Int64(personal.int(1)), Int64(personal.int(2))))
                }
                for row in rows {
                    guard let (moment, run) = try context.effectiveMoment(seq: row.seq, role: row.run == nil ? "inventory" : "out",
                        run: row.run, time: row.time) else { continue }
                    consider(moment.with(.removal), "erasure", run?.summary)
                }
            }
            for clear in try context.presenceFacts(of: dataset).clears { consider(clear.at, clear.how, clear.run) }
            if let best {
                found[dataset] = SubjectTrail.Removal(dataset: try context.datasetName(dataset), at: EventStamp(best.at), how: best.how, run: best.run)
            }
        }
        return found
    }
}
