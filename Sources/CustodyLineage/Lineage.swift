public import CustodyLog
public import CustodyModel
public import CustodyPack
package import GRDB
import Dispatch

/// The lineage questions, typed: the policy and report modules ask here and never write SQL.
///
/// Every question is answered from one read snapshot of the store, at a horizon (`--as-of`,
/// `--known-at`), with the policy pack applied as it is asked: changing the pack needs no re-ingest.
///
/// ```swift
/// let lineage = try Lineage(store: store, pack: .builtIn(), horizon: Horizon(asOf: date))
/// let trail = try lineage.subject([SubjectIdentifier("alice@example.com")!], vaultKey: key)
/// ```
public struct Lineage: Sendable {
    public let store: EventStore
    public let pack: PolicyPack
    public let horizon: Horizon
    /// The connection its questions are asked on.
    private let connection: Connection

    private enum Connection: Sendable {
        /// The store's reading connection (`EventStore.read`).
        case storeReader
        /// The store's second one (`EventStore.readBeside`).
        case besideReader
        /// A pre-flight transaction's.
        case trial(TrialConnection)
    }

    /// Opens the lineage view of a store, first bringing its projections up to the end of the log if a
    /// writer appended without them (or the store predates them), and rebuilding them if another version
    /// of Custody laid them out differently.
    public init(store: EventStore, pack: PolicyPack, horizon: Horizon = .now) throws(LogError) {
        self.store = store
        self.pack = pack
        self.horizon = horizon
        connection = .storeReader
        let layout = try store.read { db in
            try db.tableExists("lineage_meta") ? try String.fetchOne(db, sql: "SELECT value FROM lineage_meta WHERE key = 'layout'") : nil
        }
        if let layout, layout != String(LineageSchema.layout) {
            try store.rebuildProjections([LineageProjector()])
        } else {
            try store.bringProjectionsUpToDate([LineageProjector()])
        }
    }

    /// The lineage view inside a pre-flight transaction (`Ingestor.trial`), whose appends already brought
    /// the projections up to date: for `decide`. Use it only inside the trial's `inspect` closure. The
    /// vault lookups of `subject` still read the committed store.
    package init(trial db: Database, store: EventStore, pack: PolicyPack, horizon: Horizon = .now) {
        self.store = store
        self.pack = pack
        self.horizon = horizon
        connection = .trial(TrialConnection(db))
    }

    /// The number of events the view sees: those recorded by its `knownAt`, or the whole log.
    public func logSize() throws -> Int {
        try query { context in context.horizon.knownSize }
    }

    /// The same view pinned to the events it sees now: later questions ignore events appended meanwhile,
    /// so a report asked in several questions describes one state of the log, the one its evidence names.
    public func pinned() throws -> Lineage {
        let size = try logSize()
        return Lineage(store: store, pack: pack, horizon: Horizon(asOf: horizon.asOf, knownAt: horizon.knownAt, logSize: size),
            connection: connection)
    }

    /// The same view, asking its questions on the store's second reading connection (`EventStore.readBeside`):
    /// for work on another thread beside questions asked of the view meanwhile, which neither waits for the
    /// other. Pin the view first (`pinned()`), so that both see the same events.
    package func readingBeside() -> Lineage {
        guard case .storeReader = connection else { return self }
        return Lineage(store: store, pack: pack, horizon: horizon, connection: .besideReader)
    }

    private init(store: EventStore, pack: PolicyPack, horizon: Horizon, connection: Connection) {
        self.store = store
        self.pack = pack
        self.horizon = horizon
        self.connection = connection
    }

    /// The dataset or job a user named: `dataset:<namespace>:<name>`, `job:<namespace>:<name>`, or a
    /// bare dataset name that is unique.
    public func resolve(_ node: String) throws -> NodeName {
        try query { context in try NodeResolver(db: context.db).resolve(node).name }
    }

    /// The graph around a node, `depth` dataset hops up, down or both.
    public func graph(around node: String, direction: LineageGraph.Direction = .both, depth: Int = 10) throws -> LineageGraph {
        try query { context in
            let root = try NodeResolver(db: context.db).resolve(node)
            return try GraphWalk(context: context, depth: depth).walk(from: root, direction: direction)
        }
    }

    /// Every dataset the log knows at the horizon, by name.
    public func datasets() throws -> [DatasetProfile] {
        try query { context in
            let (profiles, leftovers) = try Self.datasets(context)
            leftovers.releaseInBackground()
            return profiles
        }
    }

    /// Every run with an event visible at the horizon, with its inputs and outputs, in the order of their
    /// first events.
    public func runs() throws -> [RunOverview] {
        try query { context in try Self.runs(context) }
    }

    /// `runs()` and `datasets()` from one read of the store: what judging the whole store starts with.
    public func runsAndDatasets() throws -> (runs: [RunOverview], datasets: [DatasetProfile]) {
        let (runs, datasets, leftovers) = try runsAndDatasetsLeavingLeftovers()
        leftovers.releaseInBackground()
        return (runs, datasets)
    }

    /// `runsAndDatasets()`, and what reading them loaded besides, for the caller to let go once it has answered.
    package func runsAndDatasetsLeavingLeftovers() throws -> (runs: [RunOverview], datasets: [DatasetProfile], leftovers: Leftovers) {
        try query { context in
            // Stored categories are decoded on the other core while the runs are read (it had idled then). Worked
            // out instead (a view of an earlier time), they come after the runs, whose edges the walk then uses.
            let stored = context.seesStoredCategories
            let early = stored ? try Self.pendingCategories(context) : nil
            let runs = try Self.runs(context)
            let (datasets, categories) = try Self.datasets(context, try early ?? Self.pendingCategories(context))
            return (runs, datasets, Leftovers(combining: [context.takeLoaded(), categories]))
        }
    }

    /// Every dataset's id, by name, with their categories under the pack being worked out on another thread.
    private static func pendingCategories(_ context: QueryContext) throws -> (ids: [Int64], categories: Aside<[Int64: CategoryPropagation.Held]>) {
        let ids = try Int64.fetchAll(context.db, sql: "SELECT id FROM lineage_dataset WHERE first_seq < ? ORDER BY namespace, name",
            arguments: [context.horizon.knownSize])
        return (ids, try CategoryPropagation(context: context).categoriesOfEveryDataset(ids))
    }

    /// Every dataset's profile, and what they were made from that they no longer need (the categories under
    /// the pack), for the caller to let go of.
    private static func datasets(_ context: QueryContext) throws -> (profiles: [DatasetProfile], leftovers: Leftovers) {
        try datasets(context, try pendingCategories(context))
    }

    /// `datasets(_:)` with the ids and categories `pendingCategories` gave: the stored categories are decoded on
    /// the other core while the datasets' facts are read.
    private static func datasets(_ context: QueryContext, _ pending: (ids: [Int64], categories: Aside<[Int64: CategoryPropagation.Held]>))
        throws -> (profiles: [DatasetProfile], leftovers: Leftovers) {
        let (ids, pendingCategories) = pending
        try context.preloadDatasets()
        let categories = try pendingCategories.get()
        // Everything a profile needs is loaded now.
        return (try DatasetProfiler(context: context).profilesOnEveryCore(ids, categories: categories), Leftovers(categories))
    }

    private static func runs(_ context: QueryContext) throws -> [RunOverview] {
        let ids = try Int64.fetchAll(context.db, sql: "SELECT id FROM lineage_run WHERE first_seq < ? ORDER BY first_seq",
            arguments: [context.horizon.knownSize])
        try context.preloadRuns()
        let overviews = try ids.compactMap(context.overview)
        // Listed by first sequence number, which is nearly always the order of the first visible events.
        let inOrder = zip(overviews, overviews.dropFirst()).allSatisfy { !($1.summary.started < $0.summary.started) }
        return inOrder ? overviews : overviews.sorted { $0.summary.started < $1.summary.started }
    }

    /// What judging the events `seqs`, part of `period`, needs (`EventNeighbourhood`): their runs, and the runs
    /// that read or wrote a dataset they became evidence of and have no later event in `period`, in the order
    /// of their first events; and the datasets those runs read or wrote, by name (as `runs()` and `datasets()`
    /// list them), without their readers. Profiles in `cache` are taken from there, and those made are kept there.
    package func neighbourhood(ofEvents seqs: Range<Int>, in period: Range<Int>, keeping cache: NeighbourhoodCache? = nil) throws
        -> (runs: [RunOverview], datasets: [DatasetProfile]) {
        try query { context in try EventNeighbourhood(context: context).collect(seqs, of: period, cache: cache) }
    }

    /// One dataset: location, categories with their origin, subjects, purposes, retention, writers and readers.
    public func dataset(_ node: String) throws -> DatasetProfile {
        try query { context in
            let id = try datasetID(node, context)
            let categories = try CategoryPropagation(context: context).categories(of: [id])
            return try DatasetProfiler(context: context).profile(id, categories: categories)
        }
    }

    /// Several datasets at once, as `dataset(_:)` describes each. Where their categories have to be worked
    /// out (a view as of an earlier time), their upstream closures are read together, so a DSAR's few
    /// hundred datasets cost one closure, not one each.
    public func datasets(_ names: [NodeName]) throws -> [DatasetProfile] {
        guard !names.isEmpty else { return [] }
        return try query { context in
            let (ids, categories) = try Self.categories(of: names, context)
            let profiler = DatasetProfiler(context: context)
            return try ids.map { try profiler.profile($0, categories: categories) }
        }
    }

    /// The categories each of several datasets holds, declared or carried from upstream, worked out together:
    /// what `dataset(_:)` gives as `categories`, without the rest of the profile.
    public func categories(of names: [NodeName]) throws -> [NodeName: [HeldCategory]] {
        guard !names.isEmpty else { return [:] }
        return try query { context in
            let (ids, held) = try Self.categories(of: names, context)
            let profiler = DatasetProfiler(context: context)
            var result: [NodeName: [HeldCategory]] = [:]
            for (name, id) in zip(names, ids) { result[name] = try profiler.heldCategories(held[id] ?? CategoryPropagation.Held()) }
            return result
        }
    }

    /// The ids of `names` and the categories of each (worked out together where the view needs them worked out).
    private static func categories(of names: [NodeName], _ context: QueryContext) throws -> (ids: [Int64], held: [Int64: CategoryPropagation.Held]) {
        let resolver = NodeResolver(db: context.db)
        let ids = try names.map { try resolver.resolve($0.id).id }
        return (ids, try CategoryPropagation(context: context).categories(of: ids))
    }

    /// One person's trail, for all the identifiers given (the ones verified for the requester). No
    /// identifier known to the vault is an answer: a trail with no datasets.
    public func subject(_ identifiers: [SubjectIdentifier], vaultKey: VaultKey) throws -> SubjectTrail {
        let tokens = try store.subjectTokens(for: identifiers, vaultKey: vaultKey)
        return try query { context in try SubjectTrailQuery(context: context, tokens: tokens).run() }
    }

    /// For each of `datasets`, the first removal of one person after event `seq` that the view sees: an
    /// erasure naming one of the strings recorded for them (their tokens, or a reference to their erasure
    /// request once the vault forgot them), or a DROP, TRUNCATE or OVERWRITE. Datasets the store does not
    /// know, or that nothing removed the person from, are absent.
    ///
    /// - Parameter datasets: node ids (`dataset:<namespace>:<name>`); the result is keyed by them.
    public func removals(recordedAs names: [String], from datasets: [String], after seq: Int) throws -> [String: SubjectTrail.Removal] {
        try query { context in
            let resolver = NodeResolver(db: context.db)
            let ids = datasets.compactMap { try? resolver.resolve($0).id }
            let found = try RemovalQuery(context: context).firstRemovals(recordedAs: names, from: ids, after: seq)
            return Dictionary(found.values.map { ($0.dataset.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Every job's row id, in the order of their names as SQLite sorts text (which `NodeName` ordering
    /// nearly always agrees with: whoever relies on it checks): ordering a hundred thousand names in SQL is
    /// a fraction of what it takes in Swift.
    package func jobsInNameOrder() throws -> [Int64] {
        try query { context in try Int64.fetchAll(context.db, sql: "SELECT id FROM lineage_job ORDER BY namespace, name") }
    }

    /// People named on a dataset again after an erasure from it, counted per dataset, erasure and return.
    public func returnsAfterErasure() throws -> [ReturnAfterErasure] {
        try query { context in try ErasureReturnQuery(context: context).run() }
    }

    /// Events that named a person after Custody forgot them (their erasure request complete or shredded).
    public func namedAfterForgetting() throws -> [NamedAfterForgetting] {
        try query { context in
            let rows = try Row.fetchAll(context.db, sql: """
                SELECT n.seq, n.request_id, e.run_id FROM named_again n LEFT JOIN lineage_run_event e ON e.seq = n.seq
                WHERE n.seq < ? ORDER BY n.seq, n.request_id
                """, arguments: [context.horizon.knownSize])
            return try rows.map { row in
                let run: Int64? = row[2]
                return NamedAfterForgetting(seq: row[0], request: row[1], run: try run.flatMap { try context.run($0)?.summary })
            }
        }
    }

    /// The recorded events of one job's runs that the horizon shows, in sequence order: Custody reads its
    /// own records back this way (the plans `retention --apply` recorded are runs of `custody`/`retention`).
    public func events(ofJob job: NodeName) throws -> [LogEntry] {
        try query { context in
            let seqs = try RawStatement(cached: context.db, sql: """
                SELECT e.seq, e.event_time FROM lineage_run_event e JOIN lineage_run r ON r.id = e.run_id JOIN lineage_job j ON j.id = r.job_id
                WHERE j.namespace = ? AND j.name = ? AND e.seq < ? ORDER BY e.seq
                """)
            var visible: [Int] = []
            try seqs.forEachRow(.text(job.namespace), .text(job.name), .integer(context.horizon.knownSize)) {
                if context.horizon.sees(seq: seqs.int(0), time: Int64(seqs.int(1))) { visible.append(seqs.int(0)) }
            }
            let leaf = try RawStatement(cached: context.db, sql: "SELECT leaf FROM log_entry WHERE seq = ?")
            var entries: [LogEntry] = []
            for seq in visible {
                try leaf.forEachRow(.integer(seq)) { entries.append(try LogEntry(leaf: [UInt8](leaf.blob(0)))) }
            }
            return entries
        }
    }

    /// What a leak of the dataset exposes.
    public func breach(of node: String) throws -> BreachScope {
        try query { context in try BreachQuery(context: context).scope(of: try datasetID(node, context)) }
    }

    private func datasetID(_ node: String, _ context: QueryContext) throws -> Int64 {
        let resolved = try NodeResolver(db: context.db).resolve(node)
        guard resolved.kind == .dataset else {
            throw LineageError(.badInput, "'\(node)' is a job; this question is about a dataset")
        }
        return resolved.id
    }

    private func query<T>(_ body: (QueryContext) throws -> T) throws -> T {
        let pack = self.pack, horizon = self.horizon
        var result: Result<T, any Error>!
        switch connection {
        case .trial(let trial):
            result = Result { try body(try QueryContext(db: trial.db, horizon: horizon, pack: pack)) }
        case .storeReader:
            try store.read { db in result = Result { try body(try QueryContext(db: db, horizon: horizon, pack: pack)) } }
        case .besideReader:
            try store.readBeside { db in result = Result { try body(try QueryContext(db: db, horizon: horizon, pack: pack)) } }
        }
        do { return try result.get() } catch let error as LineageError { throw error } catch {
            // A damaged file or a lock keeps its meaning; anything else SQLite refuses here is a lineage
            // table that is missing or changed, which the log can rebuild.
            let translated = EventStore.translate(error, path: store.path)
            guard translated.code == .internalInconsistency else { throw translated }
            let reason = (error as? DatabaseError)?.message ?? translated.message
            throw LogError(.integrity, "the lineage tables of the store at \(store.path) cannot be read (\(reason)); "
                + "run 'custody verify' to see what changed, then 'custody rebuild' once the file is kept as evidence")
        }
    }
}

/// The connection of a pre-flight transaction, read by a `Lineage` made inside it.
private final class TrialConnection: @unchecked Sendable {
    // Invariant: used only inside the trial's `inspect` closure, on the thread running it, while its
    // transaction is open; `Lineage(trial:)` documents that the view must not outlive the closure.
    let db: Database

    init(_ db: Database) {
        self.db = db
    }
}
