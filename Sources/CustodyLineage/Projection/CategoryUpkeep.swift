import CustodyLog
import GRDB

/// Keeps `lineage_held` current for the lineage writer: the categories every dataset holds, declared or
/// carried in, before the pack is applied (`CarriedCategories`).
///
/// A dataset's categories depend only on what is upstream of it. An event can change them for the
/// datasets it declared something on and the outputs of its run (or of every run of its job, for job
/// defaults); anything downstream of those may change with them. At the end of a transaction that region
/// is worked out again from scratch, taking what the table holds for the datasets that feed it, so the
/// result is the same fixed point a replay of the whole log reaches, whatever the batches were and whether
/// loops or late events took categories away. `verify` checks exactly that.
///
/// A transaction that fills the tables from empty (a first ingest, `rebuild`, a verification's replay) is
/// worked out in passes of `passSize` events as it goes, so memory stays bounded however long the log: each
/// pass works out the datasets its events touched, taking earlier passes' results as settled; a
/// dataset that a later pass changed after an earlier one took it as settled has its downstream worked
/// out again at the end.
final class CategoryUpkeep {
    private let db: Database
    private let fromEmpty: Bool
    private var touchedDatasets: Set<Int> = [], touchedRuns: Set<Int> = [], touchedJobs: Set<Int> = []
    private var eventsSincePass = 0
    /// Filling from empty: the datasets a pass took as settled, and those of them a later pass changed.
    private var settledBefore: Set<Int64> = [], changedAfterSettled: Set<Int64> = []

    private let passSize: Int

    /// Events between two passes of a fill from empty: each pass reads what it works out in a few
    /// statements that scan whole tables (the query indexes are built at the end), so fewer passes are
    /// faster, and smaller ones hold less in memory.
    static let passSize = 10_000

    init(db: Database, fromEmpty: Bool, passSize: Int) {
        self.db = db
        self.fromEmpty = fromEmpty
        self.passSize = passSize
    }

    func touched(dataset: Int) { touchedDatasets.insert(dataset) }
    func touched(run: Int) { touchedRuns.insert(run) }
    func touched(job: Int) { touchedJobs.insert(job) }

    /// Called after each event: a fill from empty works out what it touched every `passSize` events.
    func projected() throws {
        guard fromEmpty else { return }
        eventsSincePass += 1
        if eventsSincePass >= passSize { try pass() }
    }

    /// Called by the writer's `finish`, once the query indexes exist.
    func finish() throws {
        if fromEmpty {
            try pass()
            guard !changedAfterSettled.isEmpty else { return }
            try workOut(Set(try ids(Self.downstreamSQL, changedAfterSettled)))
        } else {
            let seeds = try takeSeeds()
            guard !seeds.isEmpty else { return }
            try workOut(Set(try ids(Self.downstreamSQL, seeds)))
        }
    }

    private func pass() throws {
        eventsSincePass = 0
        let region = try takeSeeds()
        guard !region.isEmpty else { return }
        let feeding = try workOut(region)
        changedAfterSettled.formUnion(region.intersection(settledBefore))
        settledBefore.formUnion(feeding)
    }

    /// The datasets touched since the last pass (and forgets them).
    private func takeSeeds() throws -> Set<Int64> {
        var seeds = Set(touchedDatasets.map(Int64.init))
        seeds.formUnion(try ids("SELECT dataset_id FROM lineage_io WHERE run_id IN (SELECT value FROM json_each(?)) AND direction = 'out'",
            touchedRuns))
        seeds.formUnion(try ids("""
            SELECT io.dataset_id FROM lineage_run r JOIN lineage_io io ON io.run_id = r.id AND io.direction = 'out'
            WHERE r.job_id IN (SELECT value FROM json_each(?))
            """, touchedJobs))
        touchedDatasets = []
        touchedRuns = []
        touchedJobs = []
        return seeds
    }

    /// Works `region` out from scratch and stores it; returns the datasets outside it that feed it.
    @discardableResult
    private func workOut(_ region: Set<Int64>) throws -> Set<Int64> {
        let context = QueryContext(projectionOf: db)
        try context.preload(datasets: Array(region), runSummaries: false)
        var feeding: Set<Int64> = []
        for dataset in region {
            for run in try context.runs(touching: dataset, "out") {
                for input in try context.datasets(of: run, "in") where !region.contains(input) { feeding.insert(input) }
            }
        }
        let settled = try context.storedCategories(of: feeding)
        let carried = try CategoryPropagation(context: context).carried(of: Array(region)) { id in
            region.contains(id) ? nil : settled[id] ?? CarriedCategories()
        }
        let remove = try RawStatement(cached: db, sql: "DELETE FROM lineage_held WHERE dataset_id = ?")
        let store = try RawStatement(cached: db, sql: """
            INSERT INTO lineage_held (dataset_id, pseudonymised, entries, collection_purposes, first_time, first_seq, first_origin)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (dataset_id) DO UPDATE SET pseudonymised = ?2, entries = ?3, collection_purposes = ?4,
                first_time = ?5, first_seq = ?6, first_origin = ?7
            """)
        for dataset in region {
            if let value = carried[dataset], !value.isEmpty {
                let first = value.firstWrite
                try store.execute(.integer(Int(dataset)), .integer(value.pseudonymised ? 1 : 0), .text(value.encodedEntries),
                    .text(value.encodedCollectionPurposes), first.map { .integer(Int($0.time)) } ?? .null,
                    first.map { .integer($0.seq) } ?? .null, first.map { .integer(Int($0.origin)) } ?? .null)
            } else {
                try remove.execute(.integer(Int(dataset)))
            }
        }
        return feeding
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

    private func ids(_ sql: String, _ values: some Collection<some BinaryInteger>) throws -> [Int64] {
        guard !values.isEmpty else { return [] }
        let statement = try RawStatement(cached: db, sql: sql)
        var found: [Int64] = []
        try statement.forEachRow(QueryContext.idList(values)) { found.append(Int64(statement.int(0))) }
        return found
    }
}
