import CustodyLog
import Dispatch
import GRDB

/// Keeps `lineage_held` current for the lineage writer: the categories every dataset holds, declared or
/// carried in, before the pack is applied (`CarriedCategories`).
///
/// A dataset's categories depend only on what is upstream of it. An event can change them for the
/// datasets it declared something on and the outputs of its run (or of every run of its job, for job
/// defaults); anything downstream of those may change with them. At the end of a transaction, if that
/// region holds no loop, the touched datasets are worked out again and the change is followed downstream
/// only as far as values change; a region with a loop is worked out again whole, from scratch, taking what
/// the table holds for the datasets that feed it. Either way the result is the fixed point a replay of the
/// whole log reaches, whatever the batches were and whether loops or late events took categories away.
/// `verify` checks exactly that.
///
/// A transaction that fills the tables from empty (a first ingest, `rebuild`, a verification's replay) is
/// worked out in passes of `passSize` events as it goes, so memory stays bounded however long the log: each
/// pass works out the datasets its events touched, taking earlier passes' results as settled; a
/// dataset that a later pass changed after an earlier one took it as settled has its downstream worked
/// out again at the end. A pass reads what it needs on the writer's connection (what the writer inserted
/// since the last pass it takes from the `PassJournal` instead), then makes it up and works it out on the
/// other core while the writer goes on with the next events (the last, while it builds the query indexes); its
/// rows are written when the next pass, or `finish`, needs them.
final class CategoryUpkeep {
    private let db: Database
    private let fromEmpty: Bool
    private var touchedDatasets: Set<Int> = [], touchedRuns: Set<Int> = [], touchedJobs: Set<Int> = []
    private var eventsSincePass = 0
    /// Filling from empty: the datasets a pass took as settled, and those of them a later pass changed.
    private var settledBefore: Set<Int64> = [], changedAfterSettled: Set<Int64> = []

    private let passSize: Int
    private let passesInstall: Bool
    /// The fill's last pass, being worked out on the other core.
    private var pending: PendingPass?
    /// Those of its datasets that have no row yet: first inserted since the pass before it was read.
    private var pendingUnwritten: Set<Int64> = []
    /// Filling from empty: rows of datasets that have none yet, gathered and written many at a time.
    private let newRows: BatchedInsert?
    /// Filling from empty: the values of `lineage_held` the last passes worked out or read, as stored, so that
    /// the next passes take the rows feeding them from here rather than read and decode them again (every pass
    /// read back most of the store's sources, a tenth of a fill's work). Kept equal to the table (every
    /// row a pass writes updates it), and bounded: past `knownValuesLimit` values it starts again.
    private var knownValues: [Int64: CarriedCategories] = [:]
    private var knownValuesLimit: Int { 4 * passSize }
    /// Filling from empty: the rows the writer inserted since the last pass, which it keeps here for the next.
    let journal: PassJournal?
    /// Writes what the writer gathered and has not inserted yet (`BatchedInsert`): called before the upkeep reads.
    var beforeReading: () throws -> Void = {}

    /// Events between two passes of a fill from empty: each pass reads what it works out in a few statements
    /// over lists of ids, so fewer passes cost fewer statements, and smaller ones hold less in memory (two
    /// at a time, with one worked out aside). 5,000, 20,000 and 40,000 were no faster on the benchmark.
    static let passSize = 10_000

    init(db: Database, fromEmpty: Bool, passSize: Int, passesInstall: Bool = true) throws {
        self.db = db
        self.fromEmpty = fromEmpty
        self.passSize = passSize
        self.passesInstall = passesInstall
        journal = fromEmpty ? PassJournal() : nil
        newRows = fromEmpty ? try BatchedInsert(db, into: "lineage_held", columns: [
            "dataset_id", "pseudonymised", "entries", "collection_purposes", "first_time", "first_seq", "first_origin",
        ], onConflict: .fail) : nil
    }

    deinit {
        // A fill that failed leaves its last pass: the other core must be done with it before its view of
        // the connection is taken apart here, on the writer's thread.
        pending?.waitUntilDone()
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

    /// Called by the writer's `finish` before it builds the query indexes: a fill from empty starts its last
    /// pass, which the other core works out meanwhile.
    func beginFinishing() throws {
        guard fromEmpty else { return }
        try pass()
    }

    /// Called by the writer's `finish`, once the query indexes exist.
    func finish() throws {
        try beforeReading()
        if fromEmpty {
            try landPendingPass()
            guard !changedAfterSettled.isEmpty else { return }
            try workOut(Set(try ids(Self.downstreamSQL, changedAfterSettled)))
        } else {
            let seeds = try takeSeeds()
            guard !seeds.isEmpty else { return }
            let region = Set(try ids(Self.downstreamSQL, seeds))
            let successors = try successors(within: region)
            if Self.isAcyclic(region, successors) {
                try workOutInWaves(from: seeds, successors: successors)
            } else {
                try workOut(region)
            }
        }
    }

    /// Without a loop downstream of what the transaction touched, a dataset's value depends only on its
    /// own events and its inputs' values: what was touched is worked out, and the datasets its changes
    /// feed after it, wave by wave, until nothing changes. A nightly rewrite of a source with a large
    /// downstream that brings nothing new stops at the source. (Inside a loop a value can feed itself, so
    /// a category taken away could survive there: loops are worked out whole, from scratch.)
    private func workOutInWaves(from seeds: Set<Int64>, successors: [Int64: [Int64]]) throws {
        var wave = seeds
        while !wave.isEmpty {
            let changed = try workOut(wave, writingOnlyChanges: true).changed
            // A dataset of this wave was worked out with the others; it comes back only if a later change feeds it.
            wave = Set(changed.flatMap { successors[$0] ?? [] }).subtracting(wave)
        }
    }

    /// For each dataset of `region`, the datasets written by the runs that read it.
    private func successors(within region: Set<Int64>) throws -> [Int64: [Int64]] {
        let statement = try RawStatement(cached: db, sql: """
            SELECT i.dataset_id, o.dataset_id FROM lineage_io i JOIN lineage_io o ON o.run_id = i.run_id AND o.direction = 'out'
            WHERE i.dataset_id IN (SELECT value FROM json_each(?1)) AND i.direction = 'in'
            """)
        var successors: [Int64: [Int64]] = [:]
        try statement.forEachRow(QueryContext.idList(region)) { successors[Int64(statement.int(0)), default: []].append(Int64(statement.int(1))) }
        return successors
    }

    /// Whether the edges between the datasets of `region` form no loop (Kahn's algorithm: every dataset can be
    /// taken once all that feed it were). A run that reads and writes one dataset is a loop.
    private static func isAcyclic(_ region: Set<Int64>, _ successors: [Int64: [Int64]]) -> Bool {
        var feeding: [Int64: Int] = [:]
        for from in region { for to in successors[from] ?? [] where region.contains(to) { feeding[to, default: 0] += 1 } }
        var ready = Array(region.filter { feeding[$0, default: 0] == 0 })
        var taken = 0
        while let dataset = ready.popLast() {
            taken += 1
            for to in successors[dataset] ?? [] where region.contains(to) {
                feeding[to]! -= 1
                if feeding[to] == 0 { ready.append(to) }
            }
        }
        return taken == region.count
    }

    /// Starts working out what the events since the last pass touched, taking what feeds it as settled: on the
    /// other core, while the writer goes on (see `PendingPass`); the next pass, or `finish`, writes its rows.
    private func pass() throws {
        eventsSincePass = 0
        try beforeReading()
        try landPendingPass()
        let region = try takeSeeds()
        defer { journal?.empty() }
        guard !region.isEmpty else { return }
        let (reading, read) = try read(region, written: journal, known: knownValues)
        changedAfterSettled.formUnion(region.intersection(settledBefore))
        settledBefore.formUnion(reading.feeding)
        // Its datasets the writer inserted since the last pass was read: no pass has written a row of theirs.
        pendingUnwritten = journal.map { journal in region.filter(journal.holdsDataset) } ?? []
        pending = PendingPass(reading, consume read, installing: passesInstall)
    }

    /// Writes the rows of the pass being worked out on the other core, once it is done.
    private func landPendingPass() throws {
        guard let pass = pending else { return }
        pending = nil
        // What the pass loaded and worked out is let go on another thread: this one is the fill's bottleneck.
        // (Its statements are reset here, with the context, as they must be.)
        defer { releaseInBackground(pass.reading.context.takeLoaded()) }
        if let (rows, values) = pass.result() {
            try write(rows, unwritten: pendingUnwritten)
            releaseInBackground(consume rows)
            // What the pass worked out is now what the table holds, and so is what it read for what feeds it.
            if knownValues.count + values.count > knownValuesLimit {
                var full: [Int64: CarriedCategories] = [:]
                swap(&full, &knownValues)
                releaseInBackground(consume full)
            }
            if knownValues.isEmpty { knownValues = values } else { knownValues.merge(values) { _, new in new } }
        } else {
            for dataset in pass.reading.region { knownValues[dataset] = nil }
            // It needed something the writer had not read (which reading the whole region is meant to rule out): the
            // region is worked out again here, from what the tables hold now, as a later pass would.
            settledBefore.formUnion(try workOut(pass.reading.region).feeding)
        }
    }

    /// The datasets touched since the last pass (and forgets them).
    private func takeSeeds() throws -> Set<Int64> {
        var seeds = Set(touchedDatasets.map(Int64.init))
        // The outputs of a run first inserted since the last pass are in the journal; those of older runs are read.
        var olderRuns = touchedRuns
        if let journal {
            olderRuns = touchedRuns.filter { !journal.holdsRun(Int64($0)) }
            for edge in journal.edges where edge.output && journal.holdsRun(edge.run) { seeds.insert(edge.dataset) }
        }
        seeds.formUnion(try ids("SELECT dataset_id FROM lineage_io WHERE run_id IN (SELECT value FROM json_each(?)) AND direction = 'out'",
            olderRuns))
        seeds.formUnion(try ids("""
            SELECT io.dataset_id FROM lineage_run r JOIN lineage_io io ON io.run_id = r.id AND io.direction = 'out'
            WHERE r.job_id IN (SELECT value FROM json_each(?))
            """, touchedJobs))
        touchedDatasets = []
        touchedRuns = []
        touchedJobs = []
        return seeds
    }

    /// Works `region` out from scratch and stores it; returns the datasets outside it that feed it, and those
    /// of it whose value changed (with `writingOnlyChanges`, the only ones written; else empty, and all written).
    @discardableResult
    private func workOut(_ region: Set<Int64>, writingOnlyChanges: Bool = false) throws -> (feeding: Set<Int64>, changed: Set<Int64>) {
        let (reading, read) = try read(region)
        let before = writingOnlyChanges ? try reading.context.storedCategories(of: region) : [:]
        let carried = try Self.carried(reading, consume read)
        guard writingOnlyChanges else {
            try write(Self.rows(carried, of: region))
            return (reading.feeding, [])
        }
        let changed = region.filter { (carried[$0] ?? CarriedCategories()) != (before[$0] ?? CarriedCategories()) }
        try write(Self.rows(carried, of: changed))
        return (reading.feeding, changed)
    }

    /// A region, the view it is worked out in, and the datasets outside it that its writers read.
    fileprivate struct RegionReading {
        let context: QueryContext
        let region: Set<Int64>
        let feeding: Set<Int64>
    }

    /// What was read on the writer's connection for a region and is not made up yet (that needs no
    /// connection): the rows of its datasets, their writers and those runs' inputs, for the view to install,
    /// and the stored rows of the datasets feeding it. Let go once made up, before the region is worked out.
    fileprivate struct ReadRows {
        let rows: QueryContext.RegionRows
        let settled: [QueryContext.StoredCategoryRow]
        /// The values of feeding datasets known without reading their rows.
        let known: [Int64: CarriedCategories]
    }

    /// `written`: the rows the writer inserted since the last pass, which need no reading. `known`: values of
    /// `lineage_held` known already (a dataset without a row holds an empty value), which need no reading either.
    private func read(_ region: Set<Int64>, written: PassJournal? = nil, known: [Int64: CarriedCategories] = [:]) throws -> (RegionReading, ReadRows) {
        let context = QueryContext(projectionOf: db)
        let rows = try context.readRegion(Array(region), runStates: true, written: written)
        let feeding = rows.inputsOutside
        var knownFeeding: [Int64: CarriedCategories] = [:]
        var unknown: [Int64] = []
        for dataset in feeding {
            if let value = known[dataset] { knownFeeding[dataset] = value } else { unknown.append(dataset) }
        }
        return (RegionReading(context: context, region: region, feeding: feeding),
                ReadRows(rows: rows, settled: try context.storedCategoryRows(of: unknown), known: knownFeeding))
    }

    /// The region's values, once the view has made up what was read (`installing`; else it finds nothing
    /// loaded, and whatever it needs is read, or throws where reads are forbidden).
    fileprivate static func carried(_ reading: RegionReading, _ read: consuming ReadRows, installing: Bool = true) throws -> [Int64: CarriedCategories] {
        let settled = try made(consume read, in: reading.context, installing: installing)
        return try CategoryPropagation(context: reading.context).carried(of: Array(reading.region)) { id in
            reading.region.contains(id) ? nil : settled[id] ?? CarriedCategories()
        }
    }

    /// Installs what was read in the view and decodes the settled values; the rows are let go on return.
    private static func made(_ read: consuming ReadRows, in context: QueryContext, installing: Bool) throws -> [Int64: CarriedCategories] {
        if installing { try context.install(read.rows) }
        var settled = read.known
        settled.reserveCapacity(read.known.count + read.settled.count)
        var pool = TextPool()
        for row in read.settled { settled[row.dataset] = try row.decoded(pool: &pool) }
        return settled
    }

    /// One `lineage_held` row as stored; `nil` for a dataset that holds nothing (its row is deleted).
    fileprivate struct StoredRow {
        let dataset: Int64
        let value: (pseudonymised: Bool, entries: String, collectionPurposes: String, firstWrite: CarriedCategories.FirstWrite?)?
    }

    /// The rows of `datasets`, in id order: rows inserted in a set's order land on random pages of the table,
    /// splitting them half empty and sending the page cache back and forth to the WAL.
    fileprivate static func rows(_ carried: [Int64: CarriedCategories], of datasets: Set<Int64>) -> [StoredRow] {
        datasets.sorted().map { dataset in
            guard let value = carried[dataset], !value.isEmpty else { return StoredRow(dataset: dataset, value: nil) }
            return StoredRow(dataset: dataset, value: (value.pseudonymised, value.encodedEntries, value.encodedCollectionPurposes, value.firstWrite))
        }
    }

    /// `unwritten`: datasets known to have no row, whose rows are gathered into inserts of many (`newRows`)
    /// rather than each upserted.
    private func write(_ rows: [StoredRow], unwritten: Set<Int64> = []) throws {
        let remove = try RawStatement(cached: db, sql: "DELETE FROM lineage_held WHERE dataset_id = ?")
        let store = try RawStatement(cached: db, sql: """
            INSERT INTO lineage_held (dataset_id, pseudonymised, entries, collection_purposes, first_time, first_seq, first_origin)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (dataset_id) DO UPDATE SET pseudonymised = ?2, entries = ?3, collection_purposes = ?4,
                first_time = ?5, first_seq = ?6, first_origin = ?7
            """)
        for row in rows {
            let isNew = unwritten.contains(row.dataset)
            guard let value = row.value else {
                if !isNew { try remove.execute(.integer(Int(row.dataset))) }
                continue
            }
            let first = value.firstWrite
            let values: [RawStatement.RawValue] = [
                .integer(Int(row.dataset)), .integer(value.pseudonymised ? 1 : 0), .text(value.entries), .text(value.collectionPurposes),
                first.map { .integer(Int($0.time)) } ?? .null, first.map { .integer($0.seq) } ?? .null,
                first.map { .integer(Int($0.origin)) } ?? .null,
            ]
            if isNew, let newRows {
                try newRows.append { new in for value in values { new.add(value) } }
            } else {
                try store.execute(values)
            }
        }
        // Read back by the next pass, as the rows feeding what it works out.
        try newRows?.flush()
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

/// A fill's pass being worked out on the other core: `CategoryUpkeep.carried` and the rows' text, from
/// what the writer read for it, while the writer goes on inserting the next events (for a fill's last pass,
/// building the query indexes).
///
/// The view it works from was read on the writer's connection, which goes on writing meanwhile (and changing
/// the schema, for the last pass): its statements are all reset by then, and the view is
/// told to throw rather than read (`QueryContext.forbidReads`), and whatever it throws, the writer works the
/// region out again itself. The view's last reference is always dropped on the writer's thread (taking it
/// apart resets statements of the connection): the worker holds the pass unretained, and the writer waits
/// for it before letting go.
private final class PendingPass: @unchecked Sendable {
    // Invariant: between init and the group's leave, `reading` is used and `result` written by the worker
    // only; afterwards by the writer only, which waits on the group first.
    let reading: CategoryUpkeep.RegionReading
    /// Taken by the worker, which lets it go once the view has made it up.
    private var read: CategoryUpkeep.ReadRows?
    private var worked: (rows: [CategoryUpkeep.StoredRow], values: [Int64: CarriedCategories])?
    private let group = DispatchGroup()

    /// `installing`: whether the worker makes up what the writer read (tests leave it out, so the view finds
    /// nothing and the writer works the region out itself).
    init(_ reading: CategoryUpkeep.RegionReading, _ read: consuming CategoryUpkeep.ReadRows, installing: Bool) {
        self.reading = reading
        self.read = read
        reading.context.forbidReads()
        group.enter()
        let unretained = Unmanaged.passUnretained(self)
        DispatchQueue.global().async { [group] in
            do {
                let pass = unretained.takeUnretainedValue()
                let read = pass.read!
                pass.read = nil
                pass.worked = try? {
                    let values = try CategoryUpkeep.carried(pass.reading, consume read, installing: installing)
                    return (CategoryUpkeep.rows(values, of: pass.reading.region), values)
                }()
            }
            group.leave()
        }
    }

    func waitUntilDone() {
        group.wait()
    }

    /// The rows, once worked out, and the values of every dataset the pass worked out or took as settled
    /// (as stored); `nil` when the view had to read.
    func result() -> (rows: [CategoryUpkeep.StoredRow], values: [Int64: CarriedCategories])? {
        group.wait()
        return worked
    }
}
