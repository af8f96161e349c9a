@testable import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyTestSupport
import Foundation
import GRDB
import Testing

/// The lineage projection keeps each dataset's categories as events arrive (`lineage_held`); a view of the
/// whole log reads them there, a view as of an earlier time works them out from upstream. Both must give
/// the same answer, whatever the batches, however the events took categories away again.
struct StoredCategoriesTests {
    private typealias E = LineageEvents
    private typealias Entry = CustodyTestSupport.DatasetEntry

    /// Categories to draw from: direct identifiers (a pseudonymisation stops them), others, and keys the
    /// pack does not know (counted when declared, not when only a classification tag names them).
    private static let keys = ["user.contact.email", "user.name", "user.demographic.age_range", "user.financial", "user.health_and_medical",
                               "custom.loyalty_tier"]
    private static let operations: [String?] = [nil, "transform", "transform", "pseudonymize", "anonymize", "aggregate", "access", "erase",
                                                "collect", "collect"]
    private static let purposes = [["essential.service"], ["marketing"], ["analytics.reporting", "essential.service"], []]
    private static let datasets = (0..<7).map { "d\($0)" }
    private static let jobs = ["load", "copy", "publish", "mask"]

    /// A random stream: runs over a small graph (so loops and rewrites are common), runs that complete and
    /// later fail, events out of time order, column lineage with and without masking, declarations and
    /// classification tags, datasets declared anonymous and then not, and job defaults that change.
    ///
    /// - Parameter acyclic: every run writes a dataset later in the list than all it reads, so the graph has
    ///   no loop (the writer then works out only what changed, wave by wave).
    static func stream(seed: UInt64, events: Int, acyclic: Bool = false) -> [String] {
        var random = SeededGenerator(seed: seed)
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
        func time() -> String { E.time(Int(random.next() % 20) + 1, Int(random.next() % 60)) }
        func declared(_ name: String) -> Entry {
            var entry = Entry(name)
            switch random.next() % 5 {
            case 0: entry = entry.categories(pick(keys), pick(keys))
            case 1: entry = entry.fields(["email": [pick(keys)], "age": [pick(keys)]])
            case 2: entry = entry.tag("personal_data_category", pick(keys), field: chance(50) ? "email" : nil)
            case 3: entry = entry.anonymous(chance(50))
            default: break
            }
            return entry
        }
        var lines: [String] = []
        var runJobs: [String] = []
        for _ in 0..<events {
            switch random.next() % 10 {
            case 0:
                lines.append(E.dataset(declared(pick(datasets)), at: time()))
            case 1:
                var defaults: [String: any Sendable] = ["operation": pick(operations.compactMap { $0 })]
                if chance(50) { defaults["purposes"] = pick(purposes) }
                lines.append(E.job(pick(jobs), at: time(), processing: defaults))
            case 2 where !runJobs.isEmpty:
                // A later event of an earlier run: it fails after all, or completes again, maybe out of time order,
                // maybe naming another output (one perhaps never met before, in a later pass of a fill).
                let run = Int(random.next() % UInt64(runJobs.count))
                let outputs = !acyclic && chance(40) ? [declared(pick(datasets))] : []
                lines.append(E.run(runJobs[run], pick(["FAIL", "COMPLETE", "ABORT"]), run: run + 1, at: time(), operation: pick(operations),
                    outputs: outputs))
            default:
                runJobs.append(pick(jobs))
                let output = pick(acyclic ? Array(datasets.dropFirst()) : datasets)
                let upstream = acyclic ? Array(datasets.prefix { $0 != output }) : datasets
                let inputs = (0..<(random.next() % 3)).map { _ in Entry(pick(upstream)) }
                var written = declared(output)
                if let input = inputs.first, chance(30) {
                    written = written.columns(["email": [(input, "email", chance(40))], "age": [(input, "age", false)]])
                }
                lines.append(E.run(runJobs.last!, chance(85) ? "COMPLETE" : pick(["START", "FAIL"]), run: runJobs.count, at: time(),
                    operation: pick(operations), purposes: pick(purposes), inputs: inputs, outputs: [written]))
            }
        }
        return lines
    }

    /// What a view says each dataset holds: every category with its columns, origin and sources, the
    /// pseudonymisation mark, the purposes the data was collected for and its first write.
    private static func holdings(_ lineage: Lineage) throws -> [String: String] {
        var found: [String: String] = [:]
        for name in datasets {
            guard let profile = try? lineage.dataset(name) else { continue }
            found[name] = "\(profile.categories.map { "\($0.key) \($0.columns) \($0.declared) \($0.from.map(\.name))" }) \(profile.pseudonymised) "
                + "collected for \(profile.collectionPurposes), first written \(profile.firstWrite.map { "\($0.at) in \($0.dataset.name)" } ?? "never")"
        }
        return found
    }

    @Test(arguments: 0..<24)
    func storedCategoriesAreTheOnesWorkedOutFromUpstream(seed: UInt64) throws {
        try Self.ingestInRandomCalls(Self.stream(seed: seed, events: 40), seed: seed)
    }

    /// Without loops a transaction works out what it touched and goes downstream only from what changed;
    /// the answer must be the one worked out from upstream all the same.
    @Test(arguments: 0..<16)
    func withoutLoopsOnlyWhatChangedIsWorkedOutAgain(seed: UInt64) throws {
        try Self.ingestInRandomCalls(Self.stream(seed: seed &+ 700, events: 40, acyclic: true), seed: seed)
    }

    private static func ingestInRandomCalls(_ stream: [String], seed: UInt64) throws {
        var test = try TestStore(seed: seed)
        let pack = try PolicyPack.builtIn()
        var lines = stream
        var random = SeededGenerator(seed: seed &+ 1000)
        while !lines.isEmpty {
            let call = Array(lines.prefix(Int(random.next() % 8) + 1))
            lines.removeFirst(call.count)
            try test.ingest(call, projectors: [LineageProjector()])
            let stored = try Self.holdings(try Lineage(store: test.store, pack: pack))
            // A view as of a time after every event sees the same events, but works the categories out.
            let workedOut = try Self.holdings(try Lineage(store: test.store, pack: pack, horizon: Horizon(asOf: .distantFuture)))
            #expect(stored == workedOut)
        }
        // However the calls were split, the stored rows are the ones a replay of the whole log writes.
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
    }

    /// A fill from empty works the categories out in passes as it goes; a dataset a later pass changes after
    /// an earlier one relied on it (a loop, a write after a read) has its downstream worked out at the end.
    @Test(arguments: 0..<12)
    func aFillInPassesStoresWhatOnePassWould(seed: UInt64) throws {
        var test = try TestStore(seed: seed)
        let pack = try PolicyPack.builtIn()
        let lines = Self.stream(seed: seed &+ 500, events: 60)
        // One call, projected in passes of three events, the writer remembering four ids of each kind at a time
        // (a fill longer than its memory looks ids up again).
        try test.ingest(lines, projectors: [LineageProjector(categoryPassSize: 3, rememberedIDs: 4)])
        let stored = try Self.holdings(try Lineage(store: test.store, pack: pack))
        #expect(stored == (try Self.holdings(try Lineage(store: test.store, pack: pack, horizon: Horizon(asOf: .distantFuture)))))
        // verify replays in one pass: the rows must be the same.
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
        // And a rebuild in passes of two gives them again, also when the passes worked out on the other core
        // find their region unread and the writer works each out itself.
        try test.store.rebuildProjections([LineageProjector(categoryPassSize: 2, rememberedIDs: 3)])
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
        try test.store.rebuildProjections([LineageProjector(categoryPassSize: 2, rememberedIDs: 3, passesInstall: false)])
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
    }

    /// A fill from empty remembers the runs it inserted by the hash of their UUID and inserts the others without
    /// looking them up (their key index is built at the end). Runs that share a hash must still get a row each,
    /// and a run's later event must still find its row: with every hash the same, the fill must store what
    /// `verify`'s replay stores, and the unique key built at its end must hold (a second row for a run breaks it).
    @Test(arguments: 0..<4)
    func runsSharingAHashStillGetARowEachInAFill(seed: UInt64) throws {
        var test = try TestStore(seed: seed)
        let lines = Self.stream(seed: seed &+ 900, events: 60)
        try test.ingest(lines, projectors: [LineageProjector(categoryPassSize: 3, runKeyHash: { _ in 7 })])
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
        try test.store.rebuildProjections([LineageProjector(categoryPassSize: 5, runKeyHash: { $0.count })])
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
        let keys = try test.store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name GLOB '*_key' ORDER BY name")
        }
        // verify's replay, into a scratch database beside the store, left the store's keys alone.
        #expect(keys == ["lineage_dataset_key", "lineage_job_key", "lineage_run_key"])
        // Later calls look runs up by that key.
        try test.ingest([E.run("late", "COMPLETE", run: 1, at: E.time(21), operation: "transform")], projectors: [LineageProjector()])
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
    }

    /// A pass takes what the writer inserted since the previous one from memory and reads the rest. A run that
    /// started in one pass and names a dataset never met before when it completes in the next is both: the
    /// new dataset's only writer is an old run. Its categories must still flow.
    @Test(arguments: [true, false])
    func aRunFromAnEarlierPassCarriesIntoADatasetFirstMetInALaterOne(passesInstall: Bool) throws {
        var test = try TestStore(seed: 43)
        let pack = try PolicyPack.builtIn()
        let lines = [
            E.run("collect", run: 1, at: E.time(1), operation: "collect", purposes: ["essential.service"],
                outputs: [Entry("src").categories("user.contact.email")]),
            E.run("copy", "START", run: 2, at: E.time(2), operation: "transform", purposes: ["analytics.reporting"], inputs: [Entry("src")]),
            E.dataset(Entry("elsewhere").categories("user.demographic.age"), at: E.time(3)),
            E.run("copy", "COMPLETE", run: 2, at: E.time(4), operation: "transform", purposes: ["analytics.reporting"], outputs: [Entry("dst")]),
        ]
        try test.ingest(lines, projectors: [LineageProjector(categoryPassSize: 2, passesInstall: passesInstall)])
        let stored = try Lineage(store: test.store, pack: pack).dataset("dst")
        #expect(stored.categories.map(\.key) == ["user.contact.email"])
        #expect(stored.collectionPurposes == ["essential.service"])
        #expect(stored == (try Lineage(store: test.store, pack: pack, horizon: Horizon(asOf: .distantFuture)).dataset("dst")))
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
    }

    /// A fill keeps the values its passes worked out, to give later passes the datasets feeding them without
    /// reading them back: a dataset a later pass changes must feed the passes after it with its new value.
    @Test(arguments: [true, false])
    func aDatasetChangedByALaterPassFeedsThePassesAfterItWithItsNewValue(passesInstall: Bool) throws {
        var test = try TestStore(seed: 44)
        let pack = try PolicyPack.builtIn()
        let lines = [
            E.run("collect", run: 1, at: E.time(1), operation: "collect", purposes: ["essential.service"],
                outputs: [Entry("src").categories("user.contact.email")]),
            // Its own pass; nothing has read "src" yet, so no later fix-up would notice a stale value.
            E.dataset(Entry("src").categories("user.name"), at: E.time(2)),
            E.run("copy", run: 2, at: E.time(3), operation: "transform", purposes: ["analytics.reporting"],
                inputs: [Entry("src")], outputs: [Entry("dst")]),
        ]
        try test.ingest(lines, projectors: [LineageProjector(categoryPassSize: 1, passesInstall: passesInstall)])
        let stored = try Lineage(store: test.store, pack: pack).dataset("dst")
        #expect(stored.categories.map(\.key) == ["user.contact.email", "user.name"])
        #expect(stored == (try Lineage(store: test.store, pack: pack, horizon: Horizon(asOf: .distantFuture)).dataset("dst")))
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
    }

    /// A chain written link by link, each dataset once and read only after: no pass changes what an earlier one
    /// took as settled, so nothing is worked out again at the end and every pass's rows must be written by the
    /// pass itself, whether it was worked out on the other core or, finding its region unread, by the writer.
    @Test(arguments: [true, false])
    func aChainFilledInPassesHoldsWhatEachPassWorkedOut(passesInstall: Bool) throws {
        var test = try TestStore(seed: 41)
        let pack = try PolicyPack.builtIn()
        let links = 40
        var lines = [E.run("collect", run: 1, at: E.time(1), operation: "collect", purposes: ["essential.service"],
            outputs: [Entry("c0").categories("user.contact.email")])]
        for link in 1..<links {
            lines.append(E.run("copy\(link)", run: link + 1, at: E.time(1 + link / 4, (link % 4) * 15), operation: "transform",
                purposes: ["analytics.reporting"], inputs: [Entry("c\(link - 1)")], outputs: [Entry("c\(link)")]))
        }
        try test.ingest(lines, projectors: [LineageProjector(categoryPassSize: 3, passesInstall: passesInstall)])
        let stored = try Lineage(store: test.store, pack: pack)
        let workedOut = try Lineage(store: test.store, pack: pack, horizon: Horizon(asOf: .distantFuture))
        for link in 0..<links {
            let profile = try stored.dataset("c\(link)")
            #expect(profile.categories.map(\.key) == ["user.contact.email"], "c\(link)")
            #expect(profile.collectionPurposes == ["essential.service"], "c\(link)")
            #expect(profile == (try workedOut.dataset("c\(link)")), "c\(link)")
        }
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
    }

    @Test func whatIsTakenAwayUpstreamLeavesEveryCopyDownstream() throws {
        var test = try TestStore(seed: 3)
        let pack = try PolicyPack.builtIn()
        func categories(_ name: String) throws -> Set<String> {
            Set(try Lineage(store: test.store, pack: pack).dataset(name).categories.map(\.key))
        }
        // A loop: a feeds b, b feeds a back. The health category reaches both through a run that later fails.
        try test.ingest([
            E.run("signup", run: 1, at: E.time(9), operation: "collect", outputs: [Entry("a").categories("user.name")]),
            E.run("import", run: 2, at: E.time(9), operation: "collect", outputs: [Entry("h").categories("user.health_and_medical")]),
            E.run("merge", run: 3, at: E.time(10), inputs: [Entry("h")], outputs: [Entry("a")]),
            E.run("a_to_b", run: 4, at: E.time(11), inputs: [Entry("a")], outputs: [Entry("b")]),
            E.run("b_to_a", run: 5, at: E.time(12), inputs: [Entry("b")], outputs: [Entry("a")]),
        ], projectors: [LineageProjector()])
        #expect(try categories("b") == ["user.name", "user.health_and_medical"])
        // The merge failed after all (its FAIL is the later terminal event): the loop must not keep the category alive.
        try test.ingest([E.run("merge", "FAIL", run: 3, at: E.time(10, 30))], projectors: [LineageProjector()])
        #expect(try categories("a") == ["user.name"])
        #expect(try categories("b") == ["user.name"])
        // Declared anonymous later: b holds only what was declared on it (nothing), no longer what came in.
        try test.ingest([E.dataset(Entry("b").anonymous(), at: E.time(13))], projectors: [LineageProjector()])
        #expect(try categories("b") == [])
        #expect(try categories("a") == ["user.name"])
        // A job's later defaults say its runs anonymise: what its earlier run copied is no longer there.
        try test.ingest([E.run("export", run: 6, at: E.time(14), inputs: [Entry("a")], outputs: [Entry("c")])],
            projectors: [LineageProjector()])
        #expect(try categories("c") == ["user.name"])
        try test.ingest([E.job("export", at: E.time(15), processing: ["operation": "anonymize"])], projectors: [LineageProjector()])
        #expect(try categories("c") == [])
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
    }

    /// The stored form reads back to what was written, whatever the column names and keys hold; anything
    /// else is refused rather than half read.
    @Test func theStoredFormReadsBackExactly() throws {
        var carried = CarriedCategories()
        carried.pseudonymised = true
        carried.add("user.contact.email", field: nil, from: 0, .declared)
        carried.add("user.name", field: "full \"name\"\\ \u{1}\n\t", from: 12, [.declared, .taggedPseudonymised])
        carried.add("clé.ünïcode 🙂", field: "", from: 9_007_199_254_740_993, .tagged)
        carried.add("user.name", field: "a", from: 3, .declaredPseudonymised)
        carried.add(collectionPurposes: ["essential.service", "marketing \"direct\"\\", "ünï 🙂"])
        let first = CarriedCategories.FirstWrite(time: 1_772_000_000, seq: 41, origin: 7)
        let text = carried.encodedEntries, purposes = carried.encodedCollectionPurposes
        // The exact text: stores written by earlier versions are compared with a replay by this one.
        #expect(text == #"[[null,"user.contact.email",0,1],["","clé.ünïcode 🙂",9007199254740993,4],["a","user.name",3,2],"#
            + #"["full \"name\"\\ \u0001\n\t","user.name",12,9]]"#)
        #expect(purposes == #"["essential.service","marketing \"direct\"\\","ünï 🙂"]"#)
        let read = try #require(CarriedCategories(encodedEntries: text, pseudonymised: true, encodedCollectionPurposes: purposes,
                                                  firstWrite: first))
        #expect(read.entries.map(\.origin) == carried.entries.map(\.origin))
        #expect(read.entries.map(\.paths) == carried.entries.map(\.paths))
        #expect(read.encodedEntries == text)
        #expect(read.collectionPurposes == carried.collectionPurposes && read.encodedCollectionPurposes == purposes)
        #expect(read.firstWrite == first)
        for damaged in ["", "[", "[[null,\"k\",1,1]", "[[null,\"k\",1]]", "[[null,k,1,1]]", "[[null,\"k\",1,1]]x", "[[nul,\"k\",1,1]]",
                        "[[null,\"k\",1,300]]"] {
            #expect(CarriedCategories(encodedEntries: damaged, pseudonymised: false, encodedCollectionPurposes: "[]", firstWrite: nil) == nil,
                    "\(damaged)")
        }
        for damaged in ["", "[", "[\"a\"", "[a]", "[\"a\",]", "[\"a\"]x", "[1]"] {
            #expect(CarriedCategories(encodedEntries: "[]", pseudonymised: false, encodedCollectionPurposes: damaged, firstWrite: nil) == nil,
                    "\(damaged)")
        }
        #expect(CarriedCategories(encodedEntries: "[]", pseudonymised: false, encodedCollectionPurposes: "[]", firstWrite: nil)?.isEmpty == true)
    }

    /// A whole store's rows are read with one pool of texts: each row must read back as it does alone,
    /// whatever texts the rows before it shared (long and short, equal but for their last byte).
    @Test func rowsReadWithOnePoolReadBackAsEachAlone() throws {
        let keys = ["user.contact.email.address", "user.contact.email.addresz", "user.name", "user.financial.bank_account",
                    "clé.ünïcode 🙂 long enough to pool"]
        var rows: [(String, String)] = []
        for index in 0..<40 {
            var carried = CarriedCategories()
            for (offset, key) in keys.enumerated() where (index + offset) % 3 != 0 {
                carried.add(key, field: offset % 2 == 0 ? nil : "column_number_\(index % 4)_of_a_wide_table", from: Int64(index), .declared)
            }
            carried.add(collectionPurposes: [index % 2 == 0 ? "essential.service.delivery" : "essential.service.deliverz"])
            rows.append((carried.encodedEntries, carried.encodedCollectionPurposes))
        }
        var pool = TextPool()
        for (entries, purposes) in rows {
            let pooled = try #require(CarriedCategories(encodedEntries: entries, pseudonymised: false, encodedCollectionPurposes: purposes,
                                                        firstWrite: nil, pool: &pool))
            let alone = try #require(CarriedCategories(encodedEntries: entries, pseudonymised: false, encodedCollectionPurposes: purposes,
                                                       firstWrite: nil))
            #expect(pooled.entries.map(\.origin) == alone.entries.map(\.origin))
            #expect(pooled.collectionPurposes == alone.collectionPurposes)
            #expect(pooled.encodedEntries == entries && pooled.encodedCollectionPurposes == purposes)
        }
    }

    /// Stored categories are evidence like any projection row: an edited one is an integrity failure that
    /// names the table and the dataset's row.
    @Test func anEditedStoredCategoryIsAnIntegrityFailure() throws {
        var test = try TestStore(seed: 5)
        try test.ingest([
            E.run("signup", run: 1, at: E.time(9), operation: "collect", outputs: [Entry("a").categories("user.health_and_medical")]),
            E.run("copy", run: 2, at: E.time(10), inputs: [Entry("a")], outputs: [Entry("b")]),
        ], projectors: [LineageProjector()])
        #expect(try test.store.verify(projectors: [LineageProjector()]).isIntact)
        // Someone hides the health data the copy holds.
        let queue = try DatabaseQueue(path: test.paths.store)
        try queue.write { db in
            try db.execute(sql: "UPDATE lineage_held SET entries = '[]' WHERE dataset_id = (SELECT id FROM lineage_dataset WHERE name = 'b')")
        }
        try queue.close()
        let report = try test.store.verify(projectors: [LineageProjector()])
        #expect(!report.isIntact)
        #expect(report.problems.contains { $0.message.contains("lineage_held") && $0.message.contains("dataset_id = 2") })
    }
}
