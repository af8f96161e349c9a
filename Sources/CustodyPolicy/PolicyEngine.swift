public import CustodyLineage
public import CustodyLog
public import CustodyModel
public import CustodyPack
public import Foundation

/// Judges what the log shows against the rules of a policy pack. Every finding names its rule and
/// article, what it concerns, and the events that prove it.
///
/// ```swift
/// let lineage = try Lineage(store: store, pack: pack, horizon: Horizon(asOf: date))
/// let result = try PolicyEngine(pack: pack).check(lineage, now: clock.now)
/// if result.hasViolations { … }
/// ```
public struct PolicyEngine: Sendable {
    public let pack: PolicyPack

    public init(pack: PolicyPack) {
        self.pack = pack
    }

    /// What `check` looks at: the whole store, or what concerns one dataset or one person.
    public enum Scope: Sendable {
        case everything
        /// Findings about the dataset, or about runs that read or wrote it (`dataset:<ns>:<name>` or a unique name).
        case dataset(String)
        /// Findings about the datasets that hold or held the person's data and the runs that moved it.
        case subject([SubjectIdentifier], vaultKey: VaultKey)
    }

    /// Runs every enabled rule of the pack over the lineage view, at its horizon. Retention deadlines are
    /// judged as of the horizon's `asOf`, else as of `now`.
    public func check(_ lineage: Lineage, scope: Scope = .everything, now: Date) throws -> PolicyResult {
        let (runs, datasets, leftovers) = try lineage.runsAndDatasetsLeavingLeftovers()
        let facts = ProcessingFacts(runs: runs, datasets: datasets, pack: pack, returnsAfterErasure: try lineage.returnsAfterErasure(),
            namedAfterForgetting: try lineage.namedAfterForgetting(), jobsInNameOrder: try lineage.jobsInNameOrder())
        let filter: ScopeFilter?
        if case .everything = scope { filter = nil } else { filter = try ScopeFilter(scope, lineage: lineage, facts: facts) }
        let result = PolicyResult(findings: orderedFindings(in: facts, at: lineage.horizon.asOf ?? now, keeping: filter),
            packDigest: pack.digest, horizon: lineage.horizon, runsJudged: facts.runs.count, datasetsJudged: facts.datasetsInOrder.count)
        // A whole store's runs and profiles, and what reading them loaded, are hundreds of thousands of objects,
        // and taking them apart is a tenth of a check: it is done on the other core, while the caller gets on
        // with the result (earlier, that thread would compete with the rules for both cores).
        Self.release(consume facts, consume runs, consume datasets, leftovers)
        return result
    }

    /// Judges proposed events against the store as it is, without keeping them: they are appended in a
    /// transaction that is rolled back, and the findings that cite them decide. Bad input throws the
    /// `IngestError` that `ingest` would.
    public func decide<Random: RandomNumberGenerator>(_ sources: [IngestSource], store: EventStore, vaultKey: VaultKey, recordedAt: Date,
                                                    random: inout Random) throws -> PolicyDecision {
        // Opening a view first rebuilds projections laid out by another version, and catches them up.
        _ = try Lineage(store: store, pack: pack)
        return try Ingestor.trial(sources, into: store, vaultKey: vaultKey, recordedAt: recordedAt, random: &random,
            projectors: [LineageProjector()]) { db, summary in
            let receipt = summary.receipt
            let proposed = receipt.firstSeq..<(receipt.firstSeq + receipt.eventCount)
            // Only the part of the store the proposed events touch is judged (what comes from upstream, the
            // profiles carry): about those runs and datasets it finds what judging the whole store would.
            let lineage = Lineage(trial: db, store: store, pack: pack)
            let (runs, datasets) = try lineage.neighbourhood(ofEvents: proposed, in: proposed)
            let facts = ProcessingFacts(runs: runs, datasets: datasets, pack: pack, returnsAfterErasure: try lineage.returnsAfterErasure(),
            namedAfterForgetting: try lineage.namedAfterForgetting())
            let findings = self.findings(in: facts, at: recordedAt).filter { $0.evidence.contains(where: proposed.contains) }
            return PolicyDecision(findings: Self.sorted(findings, ranks: facts.ranks), proposed: proposed, packDigest: pack.digest)
        }
    }

    /// What is past or near its retention deadline as of the horizon's `asOf`, else `now`: the erasure plan
    /// behind `custody retention`, with the datasets kept under Art. 17(3) holds.
    public func retentionPlan(_ lineage: Lineage, now: Date) throws -> RetentionPlan {
        let (runs, datasets) = try lineage.runsAndDatasets()
        let facts = ProcessingFacts(runs: runs, datasets: datasets, pack: pack)
        let at = lineage.horizon.asOf ?? now
        return RetentionPlan(items: RetentionDeadlines(facts: facts, at: at).plan(), at: at, packDigest: pack.digest)
    }

    /// Findings by severity, rule, what they concern (dataset, job, run, recipient: `Concern.<`), first
    /// evidence and summary. Datasets and jobs are ranked by the facts' tables (`ranks`), else each distinct
    /// one by name, and the findings ordered by integers: comparing or hashing names per finding dominated
    /// large stores.
    static func sorted(_ findings: [Finding], ranks: NodeRanks? = nil) -> [Finding] {
        let rules = Dictionary(uniqueKeysWithValues: Set(findings.map { $0.rule }).sorted().enumerated().map { ($1, $0) })
        let datasets = ranks.flatMap { ranked(findings.map { ($0.concerns.dataset != nil, $0.concerns.datasetID) }, $0.datasets) }
            ?? Self.ranks(findings.map { $0.concerns.dataset })
        let jobs = ranks.flatMap { ranked(findings.map { ($0.concerns.job != nil, $0.concerns.jobID) }, $0.jobs) }
            ?? Self.ranks(findings.map { $0.concerns.job })
        var places = findings.indices.map { index in
            let finding = findings[index]
            // Severity lists its cases most grave first, the order it compares in.
            let severity = Severity.allCases.firstIndex(of: finding.severity)!
            return Place(group: UInt64(severity) << 32 | UInt64(rules[finding.rule]!), nodes: UInt64(datasets[index]) << 32 | UInt64(jobs[index]),
                runStarted: finding.concerns.runStarted, index: index)
        }
        // Recipients, evidence and summaries are compared as text only where everything before them is equal: rarely.
        places.sort { a, b in
            if a.precedes(b) { return true }
            if b.precedes(a) { return false }
            let (l, r) = (findings[a.index], findings[b.index])
            return (l.concerns.recipient ?? "", l.evidence.first ?? -1, l.summary) < (r.concerns.recipient ?? "", r.evidence.first ?? -1, r.summary)
        }
        return places.map { findings[$0.index] }
    }

    /// A finding's place in `sorted` order as far as integers tell it: severity and rule, the ranks of its
    /// dataset and job, its run's first event (absent parts first). Comparing these is a few machine words.
    private struct Place {
        let group: UInt64, nodes: UInt64
        let runTime: Double, runSeq: Int
        let index: Int

        init(group: UInt64, nodes: UInt64, runStarted: EventStamp?, index: Int) {
            self.group = group
            self.nodes = nodes
            runTime = runStarted?.time.timeIntervalSinceReferenceDate ?? -.infinity
            runSeq = runStarted?.seq ?? -1
            self.index = index
        }

        func precedes(_ other: Place) -> Bool {
            (group, nodes, runTime, runSeq) < (other.group, other.nodes, other.runTime, other.runSeq)
        }
    }

    /// For each node, its rank among the distinct nodes in name order (an absent node ranks first): one
    /// dictionary probe per node, and each distinct node compared once.
    private static func ranks(_ nodes: [NodeName?]) -> [Int] {
        var slots: [NodeName: Int] = [:]
        var distinct: [NodeName] = []
        let slotOfEach = nodes.map { node -> Int in
            guard let node else { return -1 }
            if let known = slots[node] { return known }
            slots[node] = distinct.count
            distinct.append(node)
            return distinct.count - 1
        }
        var rankOfSlot = [Int](repeating: 0, count: distinct.count)
        for (rank, slot) in distinct.indices.sorted(by: { distinct[$0] < distinct[$1] }).enumerated() { rankOfSlot[slot] = rank + 1 }
        return slotOfEach.map { $0 < 0 ? 0 : rankOfSlot[$0] }
    }

    /// The same ranks from a table of places by row id (see `NodeRanks`): `nil` when a named node has no id
    /// there, and the ranks have to be worked out from names.
    private static func ranked(_ nodes: [(named: Bool, id: Int64?)], _ places: [Int64: Int]) -> [Int]? {
        var ranks: [Int] = []
        ranks.reserveCapacity(nodes.count)
        for node in nodes {
            guard node.named else {
                ranks.append(0)
                continue
            }
            guard let id = node.id, let place = places[id] else { return nil }
            ranks.append(place + 1)
        }
        return ranks
    }

    /// The findings of every enabled rule, unordered.
    func findings(in facts: ProcessingFacts, at: Date) -> [Finding] {
        pack.rules.filter(\.enabled).flatMap { rule in findings(of: rule, in: facts, at: at) }
    }

    /// The findings of every enabled rule that `filter` keeps, in `sorted` order. Rules are independent and
    /// only read the facts, so they run on both cores, each ordering its own findings; a rule's findings
    /// then form one stretch per severity, and `sorted` orders by severity and rule before anything else,
    /// so putting the stretches in that order gives what sorting them all together would.
    func orderedFindings(in facts: ProcessingFacts, at: Date, keeping filter: ScopeFilter? = nil) -> [Finding] {
        let rules = Self.longestFirst(pack.rules.filter(\.enabled))
        let perRule = ParallelMap.mapUnevenly(count: rules.count) { index in
            let found = findings(of: rules[index], in: facts, at: at)
            return Self.sorted(filter.map { filter in found.filter(filter.includes) } ?? found, ranks: facts.ranks)
        }
        // Rule ids are unique in a pack; were they not, one rule's stretch would have to be interleaved with another's.
        guard Set(rules.map(\.id)).count == rules.count else { return Self.sorted(perRule.flatMap { $0 }, ranks: facts.ranks) }
        var stretches: [(severity: Severity, rule: String, findings: ArraySlice<Finding>)] = []
        for found in perRule {
            var start = found.startIndex
            while start < found.endIndex {
                let severity = found[start].severity
                let end = found[start...].firstIndex { $0.severity != severity } ?? found.endIndex
                stretches.append((severity, found[start].rule, found[start..<end]))
                start = end
            }
        }
        stretches.sort { ($0.severity, $0.rule) < ($1.severity, $1.rule) }
        return Array(stretches.map(\.findings).joined())
    }

    /// Built-in checks that judge every input of every run, longest first as measured on the benchmark store.
    private static let longestChecks = ["purpose-compatibility", "special-category", "transfer"]

    /// `rules` in the order the cores take them up: the long ones first, so that a core is not left with one
    /// of them at the end while the other idles. Only the time depends on this order, not the findings'.
    private static func longestFirst(_ rules: [PolicyRule]) -> [PolicyRule] {
        func place(_ rule: PolicyRule) -> Int {
            guard case .builtIn(let check) = rule.test else { return longestChecks.count }
            return longestChecks.firstIndex(of: check) ?? longestChecks.count
        }
        return rules.enumerated().sorted { (place($0.element), $0.offset) < (place($1.element), $1.offset) }.map(\.element)
    }

    /// Drops the last references to a whole-store check's runs, profiles and what reading them loaded, on a background thread.
    private static func release(_ facts: consuming ProcessingFacts, _ runs: consuming [RunOverview], _ datasets: consuming [DatasetProfile],
                                _ leftovers: Leftovers) {
        releaseInBackground((facts, runs, datasets, leftovers))
    }

    /// The findings of one rule, by the check it names.
    func findings(of rule: PolicyRule, in facts: ProcessingFacts, at: Date) -> [Finding] {
        switch rule.test {
        case .condition(let condition):
            return ConditionCheck(facts: facts, rule: rule, condition: condition).findings()
        case .builtIn("transfer"):
            return TransferCheck(facts: facts, rule: rule).findings()
        case .builtIn("purpose-compatibility"):
            return PurposeCheck(facts: facts, rule: rule).findings()
        case .builtIn("retention"):
            return RetentionCheck(deadlines: RetentionDeadlines(facts: facts, at: at), rule: rule).findings()
        case .builtIn("retention-declaration"):
            return RetentionCheck(deadlines: RetentionDeadlines(facts: facts, at: at), rule: rule).declarationFindings()
        case .builtIn("after-erasure"):
            return ErasureReturnCheck(rule: rule).findings(returns: facts.returnsAfterErasure)
        case .builtIn("after-forgetting"):
            return ErasureReturnCheck(rule: rule).findings(namedAfterForgetting: facts.namedAfterForgetting)
        case .builtIn(let check) where LawfulnessCheck.checks.contains(check):
            return LawfulnessCheck(facts: facts, rule: rule).findings(check)
        case .builtIn(let check) where PackCoverageCheck.checks.contains(check):
            return PackCoverageCheck(facts: facts, rule: rule).findings(check)
        case .builtIn:
            // The pack accepts only the names of `PolicyRule.builtInChecks`; a test holds the two lists together.
            return []
        }
    }
}

/// Which findings a scope keeps.
struct ScopeFilter: Sendable {
    private var datasets: Set<NodeName>? = nil
    private var runs: Set<String> = []

    init(_ scope: PolicyEngine.Scope, lineage: Lineage, facts: ProcessingFacts) throws {
        switch scope {
        case .everything:
            return
        case .dataset(let node):
            let name = try lineage.resolve(node)
            datasets = [name]
            runs = Set(facts.runs.filter { $0.inputs.contains(name) || $0.outputs.contains(name) }.map(\.summary.runID))
        case .subject(let identifiers, let vaultKey):
            let trail = try lineage.subject(identifiers, vaultKey: vaultKey)
            datasets = Set(trail.datasets.map(\.dataset))
            runs = Set(trail.datasets.flatMap { $0.periods.compactMap(\.run?.runID) } + trail.disclosures.map(\.run.runID)
                + trail.consultations.map(\.run.runID) + trail.collections.map(\.run.runID))
        }
    }

    func includes(_ finding: Finding) -> Bool {
        guard let datasets else { return true }
        if let dataset = finding.concerns.dataset, datasets.contains(dataset) { return true }
        if let run = finding.concerns.runID, runs.contains(run) { return true }
        return false
    }
}
