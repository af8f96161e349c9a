import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyTestSupport
import Foundation
import Testing

/// The typed queries the policy and report modules use, on the end-to-end fixture.
struct QueryTests {
    static let crm = "dataset:postgres://crm-db:5432:"

    static func fixtureStore() throws -> (TestStore, Lineage) {
        var test = try TestStore(seed: 11)
        try test.ingest(try ProjectionTests.fixtureLines(), projectors: [LineageProjector()])
        return (test, try Lineage(store: test.store, pack: try PolicyPack.builtIn()))
    }

    @Test func aDatasetProfileSaysWhereEachCategoryCameFrom() throws {
        let (_, lineage) = try Self.fixtureStore()
        let profiles = try lineage.dataset("profiles/customer_profiles")
        let byKey = Dictionary(uniqueKeysWithValues: profiles.categories.map { ($0.key, $0) })
        // Column lineage: email carried as is, the phone number masked into a hash (broken), the birth
        // year carried into the age band; the segment declared on the dataset itself.
        #expect(Set(byKey.keys) == ["user.contact.email", "user.demographic.age_range", "user.behavior.purchase_history", "user.name"])
        #expect(byKey["user.contact.email"]?.columns == ["email"])
        #expect(byKey["user.contact.email"]?.from.map(\.id) == ["\(Self.crm)crm.customers"])
        #expect(byKey["user.demographic.age_range"]?.columns == ["age_band"])
        #expect(byKey["user.behavior.purchase_history"]?.declared == true)
        #expect(byKey["user.behavior.purchase_history"]?.from.isEmpty == true)
        // The customers' names came from the leads at dataset level (no column lineage there), so they
        // flow to the whole output: nobody can say they did not.
        #expect(byKey["user.name"]?.columns == [])
        #expect(profiles.location.country?.code == "IE" && profiles.location.text == "aws:eu-west-1")
        #expect(profiles.writers.map(\.job.name) == ["build_profiles"])
        #expect(profiles.readers.map(\.job.name) == ["export_audience", "retarget_partner", "weekly_kpis", "credit_check"])
        #expect(profiles.readers.first { $0.job.name == "retarget_partner" }?.state == "FAIL")
        #expect(profiles.purposes == ["analytics.reporting", "marketing.advertising", "marketing.profiling", "service.credit_check"])
        #expect(profiles.confirmedSubjects == 0)

        let cohort = try lineage.dataset("research.cohort")
        #expect(cohort.pseudonymised)
        #expect(cohort.categories.map(\.key) == ["user.demographic.age_range"])
        let customers = try lineage.dataset("crm.customers")
        #expect(customers.confirmedSubjects == 2)
        #expect(customers.retention == "P2Y")
        #expect(customers.subjectTypes == ["customer"])
        let export = try lineage.dataset("stats/cohort_summary")
        #expect(export.declaredAnonymous && export.categories.isEmpty)
    }

    @Test func theGraphGoesUpAndDownByDatasetHops() throws {
        let (_, lineage) = try Self.fixtureStore()
        let up = try lineage.graph(around: "audience/2026-03-02", direction: .up, depth: 2)
        #expect(up.nodes.map { "\($0.distance) \($0.name.id)" } == [
            "-2 \(Self.crm)crm.customers", "-2 job:analytics:build_profiles",
            "-1 dataset:s3://example-analytics:profiles/customer_profiles", "-1 job:crm:export_audience",
            "0 dataset:s3://adco-us:audience/2026-03-02",
        ])
        #expect(up.edges.contains { $0.from.name == "crm.customers" && $0.to.name == "build_profiles" })
        let down = try lineage.graph(around: "profiles/customer_profiles", direction: .down, depth: 1)
        let names = Set(down.nodes.map(\.name.name))
        // The failed transfer to India moved nothing, so it is not an edge of the graph.
        #expect(names == ["profiles/customer_profiles", "export_audience", "audience/2026-03-02", "weekly_kpis", "marts/weekly_kpis",
                          "credit_check", "risk.invoice_eligibility"])
        let job = try lineage.graph(around: "job:research:research_copy", direction: .both, depth: 1)
        #expect(Set(job.nodes.map(\.name.name)) == ["research_copy", "crm.customers", "research.cohort"])
    }

    @Test func aCycleEndsTheWalkAndTheTrail() throws {
        var test = try TestStore(seed: 12)
        let a = DatasetEntry("a"), b = DatasetEntry("b")
        try test.ingest([
            LineageEvents.run("signup", run: 1, at: LineageEvents.time(9), operation: "collect", outputs: [a.subjects("alice@example.com")]),
            LineageEvents.run("a_to_b", run: 2, at: LineageEvents.time(10), inputs: [a], outputs: [b]),
            LineageEvents.run("b_to_a", run: 3, at: LineageEvents.time(11), inputs: [b], outputs: [a]),
        ], projectors: [LineageProjector()])
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn())
        let graph = try lineage.graph(around: "a", direction: .both, depth: 1_000)
        #expect(Set(graph.nodes.map(\.name.name)) == ["a", "b", "signup", "a_to_b", "b_to_a"])
        #expect(try lineage.breach(of: "b").downstream.map(\.name) == ["a"])
    }

    @Test func aBreachNamesThePeopleTheCopiesAndTheRecipients() throws {
        let (_, lineage) = try Self.fixtureStore()
        let customers = try lineage.breach(of: "crm.customers")
        // Alice and Carol are there; Bob was erased from it.
        #expect(customers.subjects == 2 && customers.confirmedSubjects == 2)
        #expect(customers.downstream.map(\.name) == [
            "crm.customers_snapshot", "risk.invoice_eligibility", "research.cohort", "audience/2026-03-02",
            "profiles/customer_profiles", "crm/customers-2026-03-05",
        ])
        #expect(customers.disclosures.map(\.recipient.name) == ["AdCo Inc"])
        let profiles = try lineage.breach(of: "profiles/customer_profiles")
        #expect(profiles.subjects == 3 && profiles.confirmedSubjects == 0)
        #expect(try lineage.breach(of: "marts/weekly_kpis").subjects == 0)
    }

    @Test func aNodeIsFoundAtEverySplitOfItsId() throws {
        let (_, lineage) = try Self.fixtureStore()
        #expect(try lineage.resolve("dataset:postgres://crm-db:5432:crm.customers").name == "crm.customers")
        #expect(try lineage.resolve("crm.customers").namespace == "postgres://crm-db:5432")
        #expect(try lineage.resolve("job:crm:signup").kind == .job)
        do {
            _ = try lineage.resolve("dataset:postgres://crm-db:5432:crm.nothing")
            Issue.record("an unknown node resolved")
        } catch let error as LineageError {
            #expect(error.code == .unknownNode)
        }
    }

    @Test func theAnswerFollowsThePackWithoutReingesting() throws {
        let (test, lineage) = try Self.fixtureStore()
        #expect(try lineage.dataset("crm.customers_snapshot").location.origin == .unknown)
        let overlay = TemporaryDirectory()
        try """
            version: 1
            namespaces:
              - pattern: "postgres://crm-db*"
                location: DE
            """.write(toFile: overlay.file("sites.yaml"), atomically: true, encoding: .utf8)
        let withSites = try Lineage(store: test.store, pack: try PolicyPack.load(overlay: overlay.path))
        let location = try withSites.dataset("crm.customers_snapshot").location
        #expect(location.origin == .namespace && location.country?.code == "DE" && location.inEEA == true)
    }
}

/// Questions asked as of an earlier time or as known earlier: the run rows' kept state does not hold there,
/// and the graph's recursive statement and the trail fall back to the runs' events.
struct HorizonTests {
    @Test func theGraphAsOfAnEarlierTimeLeavesOutRunsNotCompletedThen() throws {
        let (test, _) = try QueryTests.fixtureStore()
        let asOf = try Lineage(store: test.store, pack: try PolicyPack.builtIn(), horizon: Horizon(asOf: RFC3339.parseInstant("2026-03-02T06:30:00Z")))
        let down = try asOf.graph(around: "profiles/customer_profiles", direction: .down, depth: 1)
        #expect(Set(down.nodes.map(\.name.name)) == ["profiles/customer_profiles", "export_audience", "audience/2026-03-02"])
    }

    @Test func aRunReportedFailedAfterItsCompletionCountsOnlyBeforeThat() throws {
        var test = try TestStore(seed: 21)
        let a = DatasetEntry("a"), b = DatasetEntry("b")
        try test.ingest([
            LineageEvents.run("signup", run: 1, at: LineageEvents.time(9), operation: "collect", outputs: [a.subjects("alice@example.com")]),
            LineageEvents.run("copy", "COMPLETE", run: 2, at: LineageEvents.time(10), inputs: [a], outputs: [b]),
            // The scheduler later marks the same run failed: from then on it moved nothing.
            LineageEvents.run("copy", "FAIL", run: 2, at: LineageEvents.time(12), inputs: [a], outputs: [b]),
        ], projectors: [LineageProjector()])
        let pack = try PolicyPack.builtIn()
        let alice = [SubjectIdentifier("alice@example.com")!]
        for (asOf, completed) in [(LineageEvents.time(11), true), (LineageEvents.time(13), false)] {
            let lineage = try Lineage(store: test.store, pack: pack, horizon: Horizon(asOf: RFC3339.parseInstant(asOf)))
            let graph = try lineage.graph(around: "a", direction: .down, depth: 2)
            #expect(graph.nodes.contains { $0.name.name == "b" } == completed, "graph as of \(asOf)")
            let trail = try lineage.subject(alice, vaultKey: test.vaultKey)
            #expect(trail.datasets.contains { $0.dataset.name == "b" } == completed, "trail as of \(asOf)")
        }
    }

    /// `datasets()` and `runs()` read the whole store in a few scans; `dataset(_:)` asks row by row. Both
    /// must tell the same, at every horizon.
    @Test(arguments: [Horizon.now, Horizon(asOf: RFC3339.parseInstant("2026-03-02T10:00:00Z")), Horizon(asOf: RFC3339.parseInstant("2026-03-04T12:00:00Z"))])
    func theWholeStoreReadTellsWhatEachDatasetAloneTells(_ horizon: Horizon) throws {
        let (test, _) = try QueryTests.fixtureStore()
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn(), horizon: horizon)
        let all = try lineage.datasets()
        #expect(all.count > 10)
        for profile in all {
            #expect(try lineage.dataset(profile.dataset.id) == profile, "\(profile.dataset)")
        }
        let runs = try lineage.runs()
        for profile in all {
            let writers = runs.filter { $0.outputs.contains(profile.dataset) && $0.summary.completed != nil }.map(\.summary.runID)
            #expect(Set(writers) == Set(profile.writers.map(\.runID)), "writers of \(profile.dataset)")
        }
    }

    @Test func knownAtIgnoresWhatWasRecordedLater() throws {
        var test = try TestStore(seed: 22)
        let a = DatasetEntry("a"), b = DatasetEntry("b")
        let first = TestStore.recordedAt, second = TestStore.recordedAt.addingTimeInterval(3600)
        try test.ingest([LineageEvents.run("signup", run: 1, at: LineageEvents.time(9), operation: "collect", outputs: [a.subjects("alice@example.com")])],
            at: first, projectors: [LineageProjector()])
        // The copy happened at 10:00 but was only reported an hour after the first call was recorded.
        try test.ingest([LineageEvents.run("copy", run: 2, at: LineageEvents.time(10), inputs: [a], outputs: [b])], at: second, projectors: [LineageProjector()])
        let pack = try PolicyPack.builtIn()
        let then = try Lineage(store: test.store, pack: pack, horizon: Horizon(knownAt: first.addingTimeInterval(60)))
        #expect(try then.graph(around: "a", direction: .down, depth: 2).nodes.map(\.name.name) == ["a"])
        #expect(try then.subject([SubjectIdentifier("alice@example.com")!], vaultKey: test.vaultKey).datasets.map(\.dataset.name) == ["a"])
        let now = try Lineage(store: test.store, pack: pack)
        #expect(try now.subject([SubjectIdentifier("alice@example.com")!], vaultKey: test.vaultKey).datasets.map(\.dataset.name) == ["a", "b"])
    }
}

struct SeveralIdentifiersTests {
    @Test func twoIdentifiersOfOnePersonNamedByOneCollectionAreOneCollection() throws {
        var test = try TestStore(seed: 41)
        try test.ingest([
            LineageEvents.run("signup", run: 1, at: LineageEvents.time(9), operation: "collect",
                              processing: ["source": ["type": "data_subject", "name": "form"]],
                              outputs: [DatasetEntry("a").subjects("carol@example.com", "phone:+49 30 1234567")]),
        ], projectors: [LineageProjector()])
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn())
        let trail = try lineage.subject([SubjectIdentifier("carol@example.com")!, SubjectIdentifier("phone:+49 30 1234567")!], vaultKey: test.vaultKey)
        #expect(trail.knownIdentifiers == 2)
        #expect(trail.collections.count == 1)
        #expect(trail.datasets.map(\.dataset.name) == ["a"])
        #expect(trail.datasets.first?.periods.count == 1)
    }
}
