import GRDB

/// Finds people written into a dataset again after an erasure from it, comparing when each fact took
/// effect (a run's output at its completion), not the order events arrived in.
struct ErasureReturnQuery {
    let context: QueryContext

    private struct Fact {
        let moment: Moment
        let run: RunRecord?
    }

    func run() throws -> [ReturnAfterErasure] {
        let rows = try Row.fetchAll(context.db, sql: """
            SELECT token, dataset_id, kind, seq, run_id, event_time FROM lineage_subject
            WHERE kind IN ('e', 'w') AND seq < ? AND (token, dataset_id) IN (SELECT token, dataset_id FROM lineage_subject WHERE kind = 'e')
            ORDER BY token, dataset_id
            """, arguments: [context.horizon.knownSize])
        var facts: [String: [Int64: (erasures: [Fact], writes: [Fact])]] = [:]
        for row in rows {
            let run: Int64? = row[4]
            guard let (moment, record) = try context.effectiveMoment(seq: row[3], role: run == nil ? "inventory" : "out", run: run, time: row[5])
            else { continue }
            let token: String = row[0], dataset: Int64 = row[1]
            let fact = Fact(moment: moment, run: record)
            if (row[2] as String) == "e" { facts[token, default: [:]][dataset, default: ([], [])].erasures.append(fact) } else {
                facts[token, default: [:]][dataset, default: ([], [])].writes.append(fact)
            }
        }
        struct Key: Hashable { let dataset: Int64, erased: Moment, returned: Moment }
        var people: [Key: (count: Int, erasedBy: RunRecord?, returnedBy: RunRecord?)] = [:]
        for (_, datasets) in facts {
            for (dataset, lists) in datasets {
                for erasure in lists.erasures {
                    // Within one event an erasure beats a carry: only later writes bring the person back.
                    guard let back = lists.writes.filter({ $0.moment.time > erasure.moment.time
                        || ($0.moment.time == erasure.moment.time && $0.moment.seq > erasure.moment.seq) }).min(by: { $0.moment < $1.moment })
                    else { continue }
                    let key = Key(dataset: dataset, erased: erasure.moment, returned: back.moment)
                    people[key, default: (0, erasure.run, back.run)].count += 1
                }
            }
        }
        return try people.map { key, value in
            ReturnAfterErasure(dataset: try context.datasetName(key.dataset), erased: EventStamp(key.erased), erasedBy: value.erasedBy?.summary,
                returned: EventStamp(key.returned), returnedBy: value.returnedBy?.summary, people: value.count)
        }.sorted { ($0.dataset, $0.erased, $0.returned) < ($1.dataset, $1.erased, $1.returned) }
    }
}
