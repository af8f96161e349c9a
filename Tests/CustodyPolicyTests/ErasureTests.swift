@testable import CustodyLog
import CustodyLineage
import CustodyModel
import CustodyPack
import CustodyPolicy
import CustodyTestSupport
import Foundation
import GRDB
import Testing

/// Erasure end to end on the policy fixture (examples/policy-fixture.jsonl): carol@example.com signed up
/// to the shop; her data went into nine datasets and to four recipients, and the court's copy is kept
/// under an Art. 17(3) hold. examples/erasure-in-house.jsonl then erases her from the shop's own four
/// datasets, examples/erasure-copies.jsonl from the five copies.
struct ErasureTests {
    static let carol = [SubjectIdentifier("carol@example.com")!]
    static let now = RFC3339.parseInstant("2026-11-29T10:00:00Z")!
    static let inHouse = ["dataset:file:///tmp:churn.parquet", "dataset:postgres://crm-db:5432:crm.ad_profiles",
                          "dataset:postgres://crm-db:5432:crm.customers", "dataset:postgres://crm-db:5432:crm.weekly_stats"]
    static let copies = ["dataset:s3://adco-us:audience/2026-03-02", "dataset:s3://backup:crm/customers", "dataset:s3://legal:epo/filing-17",
                         "dataset:s3://mirror-uk:crm/customers", "dataset:s3://support-in:tickets"]
    static let recipients = ["AdCo Inc", "Bangalore Support Pvt Ltd", "European Patent Office", "Mumbai High Court"]

    /// The fixture in a fresh store, with the court hold laid over the built-in pack.
    struct Fixture {
        var test: TestStore
        let pack: PolicyPack

        init() throws {
            test = try TestStore(seed: 17)
            pack = try PolicyPack.load(overlay: try PolicyFiles.courtHold(in: test.directory))
            try test.ingest(try ExampleFiles.lines("policy-fixture.jsonl"), projectors: [LineageProjector()])
        }

        var erasures: ErasureLifecycle { ErasureLifecycle(store: test.store, pack: pack, vaultKey: test.vaultKey) }

        /// Ingests an example file as a pipeline would, then forgets whoever it completed (as `custody ingest` does).
        @discardableResult
        mutating func ingest(_ file: String) throws -> Int {
            let summary = try test.ingest(try ExampleFiles.lines(file), at: ErasureTests.now, projectors: [LineageProjector()])
            _ = try erasures.forgetCompleted(now: ErasureTests.now, random: &test.random)
            return summary.receipt.firstSeq
        }

        mutating func erase(shred: Bool = false) throws -> ErasureLifecycle.Answer {
            try erasures.request(ErasureTests.carol, ground: "consent_withdrawn", reason: "ticket 4711", shred: shred, now: ErasureTests.now,
                random: &test.random)
        }

        /// Everything a trail says, for comparing answers before and after.
        func trail(_ identifier: String) throws -> String {
            String(describing: try Lineage(store: test.store, pack: pack).subject([SubjectIdentifier(identifier)!], vaultKey: test.vaultKey))
        }

        func state(_ status: ErasureStatus, _ id: String) -> ErasureStatus.ItemState? { status.items.first { $0.item.id == id } }
    }

    @Test func erasingAPersonListsTheirDatasetsTheHeldCopyAndTheRecipients() throws {
        var fixture = try Fixture()
        let answer = try fixture.erase()
        #expect(answer.outcome == .recorded)
        let status = try #require(answer.status)
        #expect(status.items.filter { $0.item.kind == .erase }.map(\.item.dataset) == (Self.inHouse + Self.copies).sorted())
        #expect(status.items.filter { $0.item.kind == .hold }.map(\.item.dataset) == ["dataset:s3://legal:court/2026-03"])
        #expect(status.items.filter { $0.item.kind == .hold }.map(\.item.hold) == ["court"])
        #expect(status.items.filter { $0.item.kind == .notify }.map(\.item.recipient) == Self.recipients)
        #expect(status.openItems.count == 13 && status.items.count { $0.state == .held } == 1 && !status.isComplete)
        // What the court, a recipient, received and when.
        let court = try #require(fixture.state(status, "notify:Mumbai High Court"))
        #expect(court.item.received.map(\.dataset) == ["dataset:s3://legal:court/2026-03"])
        #expect(court.item.received.map(\.at) == ["2026-03-02T10:40:00.000Z"])
        #expect(fixture.state(status, "erase:dataset:s3://adco-us:audience/2026-03-02")?.item.recipient == "AdCo Inc")

        // The request event names the person only through the commitment to her tokens.
        let open = try #require(try fixture.test.store.openErasure(status.request.id))
        let tokens = try fixture.test.store.subjectTokens(for: Self.carol, vaultKey: fixture.test.vaultKey)
        #expect(Set(open.tokens) == Set(tokens) && !tokens.isEmpty)
        #expect(status.request.commitment == ErasureCommitment.commitment(salt: open.salt, tokens: tokens))
        let leaf = String(decoding: try fixture.test.store.entries(from: status.request.seq, limit: 1)[0].leaf, as: UTF8.self)
        #expect(leaf.contains(status.request.id) && !leaf.contains("carol") && tokens.allSatisfy { !leaf.contains($0) })

        // Asking again while it is open gives the same request and records nothing.
        let size = try fixture.test.store.head().size
        let again = try fixture.erase()
        #expect(again.outcome == .alreadyOpen && again.status?.request.id == status.request.id)
        #expect(try fixture.test.store.head().size == size)
    }

    @Test func completionClosesTheRightItemsBeforeAndAfterShreddingAndForgettingLeavesNoLink() throws {
        var fixture = try Fixture()
        let others = try ["alice@example.com", "bob@example.com", "dave@example.com"].map { ($0, try fixture.trail($0)) }
        let request = try #require(try fixture.erase().status?.request)
        let tokens = try fixture.test.store.subjectTokens(for: Self.carol, vaultKey: fixture.test.vaultKey)
        let salt = try #require(try fixture.test.store.openErasure(request.id)).salt
        let lookup = fixture.test.vaultKey.lookup("email:carol@example.com")

        // The shop erases her from its own datasets: those four items close, with the event that did it.
        let inHouse = try fixture.ingest("erasure-in-house.jsonl")
        var status = try fixture.erasures.status(of: request.id, now: Self.now)
        for dataset in Self.inHouse {
            let state = fixture.state(status, "erase:" + dataset)
            #expect(state?.state == .closed && state?.closedBy == inHouse && state?.how == "erasure", "\(dataset)")
        }
        #expect(Self.copies.allSatisfy { fixture.state(status, "erase:" + $0)?.state == .open })

        // Shredded now: the vault forgets her, and the items closed so far stay closed.
        let shred = try fixture.erase(shred: true)
        #expect(shred.outcome == .alreadyOpen && shred.status?.request.forgotten?.why == "shred")
        #expect(try fixture.test.store.subjectTokens(for: Self.carol, vaultKey: fixture.test.vaultKey).isEmpty)
        #expect(try fixture.test.store.openErasure(request.id) == nil)
        status = try fixture.erasures.status(of: request.id, now: Self.now)
        #expect(Self.inHouse.allSatisfy { fixture.state(status, "erase:" + $0)?.how == "before forgetting" })

        // The copies are erased afterwards, naming her by her identifier: the tombstone resolves it to the
        // request, which closes the five items, with no new token and no finding.
        let vaultRows = try fixture.test.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM vault") }
        let copies = try fixture.ingest("erasure-copies.jsonl")
        status = try fixture.erasures.status(of: request.id, now: Self.now)
        for dataset in Self.copies {
            let state = fixture.state(status, "erase:" + dataset)
            #expect(state?.state == .closed && state?.closedBy == copies, "\(dataset)")
        }
        #expect(try fixture.test.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM vault") } == vaultRows)
        let findings = try PolicyEngine(pack: fixture.pack).check(try Lineage(store: fixture.test.store, pack: fixture.pack), now: Self.now).findings
        #expect(!findings.contains { $0.rule == "after-forgetting" || ($0.rule == "after-erasure" && $0.evidence.contains(copies)) })

        // Telling the recipients (one impossible) completes the request.
        for recipient in Self.recipients {
            status = try fixture.erasures.notified(request.id, recipient: recipient,
                impossible: recipient == "Mumbai High Court" ? "court record, cannot be altered" : nil, now: Self.now, random: &fixture.test.random)
        }
        #expect(status.isComplete && status.openItems.isEmpty)

        // No stored reference leads from the identifier, its lookup, the tombstone or the request to her old tokens.
        let tombstone = fixture.test.vaultKey.tombstone("email:carol@example.com")
        let rows = try Self.everyRow(of: fixture.test.store)
        #expect(rows.count > 100)
        for (table, row) in rows {
            let leaks = Self.contains(row, lookup) || Self.contains(row, salt) || Self.contains(row, Array("carol@example.com".utf8))
            #expect(!leaks, "a row of \(table) holds the identifier, its lookup or the salt")
            if Self.contains(row, Array(request.id.utf8)) || Self.contains(row, tombstone) {
                let linked = tokens.contains { Self.contains(row, Array($0.utf8)) }
                #expect(!linked, "a row of \(table) links the request or the tombstone to an old token")
            }
        }
        let kept = rows.contains { $0.table == "tombstone" && Self.contains($0.row, tombstone) }
        #expect(kept, "the tombstone is kept")
        // Nor do the raw files (database, WAL, shared memory) hold the identifier, its lookup or the salt.
        let leaks = StoreFiles.holding([lookup, salt, Array("carol@example.com".utf8)], store: fixture.test.paths.store)
        #expect(leaks.isEmpty, "the store files \(leaks) hold the identifier, its lookup or the salt")
        let report = try fixture.test.store.verify(projectors: [LineageProjector()])
        #expect(report.isIntact, "\(report.problems.first?.message ?? "")")
        for (person, before) in others { #expect(try fixture.trail(person) == before, "\(person)'s trail changed") }
    }

    @Test func aPersonNamedAgainAfterForgettingGetsANewTokenAndAFinding() throws {
        var fixture = try Fixture()
        let request = try #require(try fixture.erase(shred: true).status?.request)
        let old = try fixture.test.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM vault") }
        let seq = try fixture.test.ingest([
            E.run("signup_again", run: 90, at: t(15), operation: "collect", purposes: ["essential.service"], legalBasis: "contract",
                outputs: [ds("crm.returning").subjects("carol@example.com").location("DE")]),
        ], at: Self.now, projectors: [LineageProjector()]).receipt.firstSeq
        #expect(try fixture.test.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM vault") } == (old ?? 0) + 1)
        let trail = try Lineage(store: fixture.test.store, pack: fixture.pack).subject(Self.carol, vaultKey: fixture.test.vaultKey)
        #expect(trail.datasets.map(\.dataset.name) == ["crm.returning"], "only the new data is linked to her")
        let finding = try #require(try PolicyEngine(pack: fixture.pack).check(try Lineage(store: fixture.test.store, pack: fixture.pack), now: Self.now)
            .findings.first { $0.rule == "after-forgetting" })
        #expect(finding.evidence == [seq] && finding.summary.contains(request.id) && finding.concerns.job?.name == "signup_again")
        #expect(try fixture.test.store.entries(from: seq, limit: 1)[0].notes.contains { $0.contains(request.id) })
    }

    @Test func anErasureInterruptedAfterForgettingIsFinishedByAskingAgain() throws {
        var fixture = try Fixture()
        let lookup = fixture.test.vaultKey.lookup("email:carol@example.com")
        // A reader holding a snapshot keeps the WAL from being truncated: the state a crash between the
        // forgetting transaction and the scrub leaves.
        let reader = try DatabaseQueue(path: fixture.test.paths.store)
        let shredded: Result<ErasureLifecycle.Answer, any Error> = try reader.read { db in
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM log_entry")
            return Result { try fixture.erase(shred: true) }
        }
        #expect(throws: LogError.self) { try shredded.get() }
        #expect(try fixture.test.store.subjectTokens(for: Self.carol, vaultKey: fixture.test.vaultKey).isEmpty, "the vault forgot her")
        #expect(!StoreFiles.holding([lookup], store: fixture.test.paths.store).isEmpty, "the unscrubbed WAL still holds the old vault page")
        try reader.close()

        let resumed = try fixture.erase(shred: true)
        #expect(resumed.outcome == .alreadyForgotten && resumed.status?.request.forgotten != nil)
        let leaks = StoreFiles.holding([lookup], store: fixture.test.paths.store)
        #expect(leaks.isEmpty, "the store files \(leaks) hold the lookup")
        #expect(try fixture.erasures.requests().count == 1)
        #expect(try fixture.test.store.verify(projectors: [LineageProjector()]).isIntact)
    }

    @Test func openItemsAreOverdueAfterOneCalendarMonth() throws {
        var fixture = try Fixture()
        let request = try #require(try fixture.erase().status?.request)
        #expect(request.dueBy == RFC3339.parseInstant("2026-12-29T10:00:00Z"))
        #expect(try !fixture.erasures.status(of: request.id, now: RFC3339.parseInstant("2026-12-29T09:59:59Z")!).isOverdue)
        #expect(try fixture.erasures.status(of: request.id, now: RFC3339.parseInstant("2026-12-29T10:00:01Z")!).isOverdue)
        #expect(throws: PolicyError.self) { try fixture.erasures.status(of: "R-NOSUCHREQ", now: Self.now) }
        #expect(throws: PolicyError.self) {
            try fixture.erasures.notified(request.id, recipient: "Nobody Ltd", impossible: nil, now: Self.now, random: &fixture.test.random)
        }
    }

    /// Every row of every table of the store, each value as bytes (text as UTF-8, numbers as digits).
    static func everyRow(of store: EventStore) throws -> [(table: String, row: [UInt8])] {
        try store.read { db in
            var rows: [(String, [UInt8])] = []
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    var bytes: [UInt8] = []
                    for (_, value) in row {
                        switch value.storage {
                        case .blob(let data): bytes += Array(data)
                        case .string(let text): bytes += Array(text.utf8)
                        case .int64(let number): bytes += Array(String(number).utf8)
                        case .double(let number): bytes += Array(String(number).utf8)
                        case .null: break
                        }
                        bytes.append(0)
                    }
                    rows.append((table, bytes))
                }
            }
            return rows
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        !needle.isEmpty && Data(haystack).range(of: Data(needle)) != nil
    }
}

/// Forgetting one person among thousands, whose vault rows were moved about as its pages split.
struct ErasureInALargeVaultTests {
    @Test func forgettingOnePersonAmongThousandsLeavesNoCopyOfTheirVaultRow() throws {
        var test = try TestStore(seed: 5)
        let pack = try PolicyPack.builtIn()
        // Several calls, so the vault grows by inserts in the middle of its key order and its pages split.
        for batch in 0..<6 {
            let lines = (0..<500).map { index -> String in
                let person = batch * 500 + index
                return E.run("signup", run: 1000 + person, at: t(9), operation: "collect", purposes: ["essential.service"], legalBasis: "contract",
                    outputs: [ds("crm").subjects("person-\(person)@example.com").location("DE")])
            }
            try test.ingest(lines, projectors: [LineageProjector()])
        }
        let person = [SubjectIdentifier("person-1234@example.com")!]
        let lookup = test.vaultKey.lookup("email:person-1234@example.com")
        let erasures = ErasureLifecycle(store: test.store, pack: pack, vaultKey: test.vaultKey)
        let answer = try erasures.request(person, ground: nil, reason: nil, shred: true, now: ErasureTests.now, random: &test.random)
        #expect(answer.status?.request.forgotten != nil)
        let leaks = StoreFiles.holding([lookup], store: test.paths.store)
        #expect(leaks.isEmpty, "the store files \(leaks) hold the lookup")
        #expect(try test.store.subjectTokens(for: [SubjectIdentifier("person-1233@example.com")!], vaultKey: test.vaultKey).count == 1)
    }
}
