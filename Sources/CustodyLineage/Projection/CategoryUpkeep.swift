import CustodyLog
import GRDB

/// Keeps `lineage_held` current at the end of each transaction of the lineage writer: the categories
/// every dataset holds, declared or carried in, before the pack is applied (`CarriedCategories`).
///
/// A dataset's categories depend only on what is upstream of it. An event can change them for the
/// datasets it declared something on and the outputs of its run (or of every run of its job, for job
/// defaults); anything downstream of those may change with them. That region is worked out again from
/// scratch, taking what the table holds for the datasets that feed it, so the result is the same fixed
/// point a replay of the whole log reaches, whatever the batches were and whether loops or late events
/// took categories away. `verify` checks exactly that.
struct CategoryUpkeep {
    let db: Database

    /// Works out again the datasets the transaction may have changed. `fromEmpty`: the tables were empty
    /// when it began, so every dataset is new and one pass over the whole store is cheaper than asking
    /// about each.
    func update(datasets: Set<Int>, runs: Set<Int>, jobs: Set<Int>, fromEmpty: Bool) throws {
        let context = QueryContext(projectionOf: db)
        let propagation = CategoryPropagation(context: context)
        if fromEmpty {
            try context.preloadDeclarations()
            let all = try Int64.fetchAll(db, sql: "SELECT id FROM lineage_dataset")
            try write(try propagation.carried(of: all), for: all, replacing: false)
            return
        }
        var seeds = Set(datasets.map(Int64.init))
        seeds.formUnion(try ids("SELECT dataset_id FROM lineage_io WHERE run_id IN (SELECT value FROM json_each(?)) AND direction = 'out'", runs))
        seeds.formUnion(try ids("""
            SELECT io.dataset_id FROM lineage_run r JOIN lineage_io io ON io.run_id = r.id AND io.direction = 'out'
            WHERE r.job_id IN (SELECT value FROM json_each(?))
            """, jobs))
        guard !seeds.isEmpty else { return }
        let region = Set(try ids(Self.downstreamSQL, seeds))
        // What feeds the region from outside it is settled: read once.
        let feeding = try ids(Self.feedingSQL, region).filter { !region.contains($0) }
        let settled = try context.storedCategories(of: feeding)
        let carried = try propagation.carried(of: Array(region)) { id in
            region.contains(id) ? nil : settled[id] ?? CarriedCategories()
        }
        try write(carried, for: Array(region), replacing: true)
    }

    /// The datasets given and every dataset downstream of them, through any run.
    private static let downstreamSQL = """
        WITH RECURSIVE down(id) AS (
            SELECT value FROM json_each(?1)
            UNION
            SELECT o.dataset_id FROM down
            JOIN lineage_io i ON i.dataset_id = down.id AND i.direction = 'in'
            JOIN lineage_io o ON o.run_id = i.run_id AND o.direction = 'out')
        SELECT id FROM down
        """

    /// The inputs of the runs that wrote the datasets given.
    private static let feedingSQL = """
        SELECT DISTINCT i.dataset_id FROM lineage_io o JOIN lineage_io i ON i.run_id = o.run_id AND i.direction = 'in'
        WHERE o.dataset_id IN (SELECT value FROM json_each(?)) AND o.direction = 'out'
        """

    private func ids(_ sql: String, _ values: some Collection<some BinaryInteger>) throws -> [Int64] {
        guard !values.isEmpty else { return [] }
        let statement = try RawStatement(cached: db, sql: sql)
        var found: [Int64] = []
        try statement.forEachRow(.text("[" + values.map { String($0) }.joined(separator: ",") + "]")) { found.append(Int64(statement.int(0))) }
        return found
    }

    /// Replaces the rows of `datasets` with what `carried` says of them (no row for a dataset holding nothing).
    private func write(_ carried: [Int64: CarriedCategories], for datasets: [Int64], replacing: Bool) throws {
        let remove = try RawStatement(cached: db, sql: "DELETE FROM lineage_held WHERE dataset_id = ?")
        let insert = try RawStatement(cached: db, sql: "INSERT INTO lineage_held (dataset_id, pseudonymised, entries) VALUES (?, ?, ?)")
        for dataset in datasets {
            if replacing { try remove.execute(.integer(Int(dataset))) }
            guard let value = carried[dataset], !value.isEmpty else { continue }
            try insert.execute(.integer(Int(dataset)), .integer(value.pseudonymised ? 1 : 0), .text(value.encodedEntries))
        }
    }
}
