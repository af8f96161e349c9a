@testable import CustodyLog
import CustodyModel
import CustodyTestSupport
import Foundation
import GRDB
import Testing

struct EventStoreTests {
    @Test func appendsEventsWithTheirRecordedTimeBatchAndSequence() throws {
        var test = try TestStore()
        let first = try test.ingest(TestStore.events(3))
        let second = try test.ingest(TestStore.events(2, offset: 3), at: TestStore.recordedAt.addingTimeInterval(60))
        #expect(first.receipt.firstSeq == 0 && first.receipt.treeSize == 3)
        #expect(second.receipt.firstSeq == 3 && second.receipt.treeSize == 5)
        let entries = try test.store.entries()
        #expect(entries.map(\.seq) == [0, 1, 2, 3, 4])
        #expect(entries.map(\.batchID) == Array(repeating: first.receipt.batchID, count: 3) + Array(repeating: second.receipt.batchID, count: 2))
        #expect(entries[3].recordedAt == "2026-03-01T21:21:00.000Z")
        // The leaf preimage is the canonical record, and its hash is the RFC 9162 leaf hash.
        let record = try JSONParser.parse(entries[4].leaf)
        #expect(try CanonicalJSON.encode(record) == entries[4].leaf)
        let head = try test.store.head()
        #expect(head.size == 5 && head.root == second.receipt.root)
        let proof = try test.store.inclusionProof(seq: 2, size: 5)
        #expect(proof.leafHash == MerkleHashing.leafHash(bytes: entries[2].leaf))
        try MerkleVerifier.verifyInclusion(index: 2, size: 5, leafHash: proof.leafHash.bytes, proof: proof.proof.map(\.bytes), root: head.root.bytes)
        try MerkleVerifier.verifyConsistency(first: 3, second: 5, firstRoot: first.receipt.root.bytes, secondRoot: head.root.bytes,
            proof: try test.store.consistencyProof(first: 3, second: 5).map(\.bytes))
        #expect(try test.store.verify().isIntact)
    }

    @Test func oneBadEventRollsBackTheWholeCall() throws {
        var test = try TestStore()
        try test.ingest(TestStore.events(2))
        let before = try test.store.head()
        let vaultRows = try vaultCount(test)
        let bad = TestStore.events(3, offset: 10) + [EventFixtures.runEvent(runId: "nope")]
        #expect {
            try test.ingest(bad, name: "day2.jsonl")
        } throws: { error in
            guard let error = error as? IngestError else { return false }
            return error.file == "day2.jsonl" && error.line == 4 && error.pointer?.description == "/run/runId"
        }
        #expect(try test.store.head() == before)
        #expect(try vaultCount(test) == vaultRows)
        #expect(try test.store.verify().isIntact)
    }

    @Test func oneIdentifierInAnySpellingGetsOneTokenAndTheVaultHoldsNoIdentifier() throws {
        var test = try TestStore()
        try test.ingest([EventFixtures.runEvent(runId: EventFixtures.runId(1), subjects: ["Alice@Example.com", "cust-1"])])
        try test.ingest([EventFixtures.runEvent(runId: EventFixtures.runId(2), subjects: ["email:alice@example.com", "cust-1"])])
        let entries = try test.store.entries()
        let tokens = entries.map { subjects(of: $0.event) }
        #expect(tokens[0] == tokens[1])
        #expect(tokens[0].allSatisfy { $0.hasPrefix("subj_") && $0.count == 31 })
        #expect(Set(tokens[0]).count == 2)
        #expect(try vaultCount(test) == 2)
    }

    @Test func noIdentifierReachesTheDatabaseOrItsWAL() throws {
        var test = try TestStore()
        let identifiers = ["Alice.Secret@Example.com", "cust-987654321", "phone:+49 170 5550199"]
        // A reader holding a snapshot keeps the WAL from being checkpointed away, so its bytes are there to read.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let reader = try DatabaseQueue(path: test.paths.store, configuration: configuration)
        try reader.inDatabase { db in try db.execute(sql: "BEGIN; SELECT COUNT(*) FROM log_entry;") }
        try test.ingest([EventFixtures.runEvent(subjects: identifiers)])
        try test.ingest([EventFixtures.runEvent(runId: EventFixtures.runId(5), subjects: identifiers)])
        let files = [test.paths.store, test.paths.store + "-wal", test.paths.store + "-shm"]
        #expect(FileManager.default.fileExists(atPath: test.paths.store + "-wal"))
        let needles = ["alice.secret@example.com", "Alice.Secret", "cust-987654321", "+491705550199", "5550199"]
        for file in files where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            for needle in needles {
                #expect(bytes.range(of: Data(needle.utf8)) == nil, "\(needle) found in \(file)")
            }
        }
        try reader.inDatabase { db in try db.execute(sql: "COMMIT") }
    }

    @Test func theLogTablesRefuseUpdatesAndDeletes() throws {
        var test = try TestStore()
        try test.ingest(TestStore.events(2))
        let queue = try DatabaseQueue(path: test.paths.store)
        for sql in ["UPDATE log_entry SET leaf = x'00' WHERE seq = 0", "DELETE FROM log_entry WHERE seq = 1",
                    "UPDATE log_entry SET nodes = x'' WHERE seq = 1", "UPDATE log_batch SET root = x'00'"] {
            #expect(throws: DatabaseError.self) { try queue.write { db in try db.execute(sql: sql) } }
        }
    }

    @Test func aWrongVaultKeyIsAKeyErrorNotAnEmptyAnswer() throws {
        let test = try TestStore()
        var random = SeededGenerator(seed: 77)
        let stranger = VaultKey.generate(using: &random)
        do {
            _ = try Ingestor.ingest([IngestSource.bytes(Array(TestStore.events(1)[0].utf8), name: "x")], into: test.store,
                vaultKey: stranger, recordedAt: TestStore.recordedAt, batchID: UUID(), random: &random)
            Issue.record("ingested with another store's vault key")
        } catch {
            #expect((error as? LogError)?.code == .key)
        }
    }

    @Test func projectorsWriteInTheAppendTransaction() throws {
        let test = try TestStore()
        var random = test.random
        // A source is read once, so each call gets its own.
        func events() -> [IngestSource] { TestStore.events(3).map { IngestSource.bytes(Array($0.utf8), name: "e") } }
        _ = try Ingestor.ingest(events(), into: test.store, vaultKey: test.vaultKey, recordedAt: TestStore.recordedAt,
            batchID: UUID(), random: &random, projectors: [Counting(failOn: nil)])
        do {
            _ = try Ingestor.ingest(events(), into: test.store, vaultKey: test.vaultKey, recordedAt: TestStore.recordedAt,
                batchID: UUID(), random: &random, projectors: [Counting(failOn: 4)])
            Issue.record("the projector's refusal did not fail the call")
        } catch {
            #expect("\(error)".contains("refused by the projector"))
        }
        let rows = try DatabaseQueue(path: test.paths.store).read { db in try String.fetchAll(db, sql: "SELECT seq FROM seen ORDER BY seq") }
        #expect(rows == ["0", "1", "2"])
        #expect(try test.store.head().size == 3)
    }

    /// `verify` replays the log into a scratch database with the store attached beside it: whatever a
    /// projector's statements name, the store must come out as it went in.
    @Test func verificationCannotWriteTheStore() throws {
        // A file name with the characters an SQLite URI gives a meaning to.
        var test = try TestStore(fileName: "odd ?#%20 name.db")
        try test.ingest(TestStore.events(3), projectors: [Counting(failOn: nil)])
        #expect(try test.store.verify(projectors: [Counting(failOn: nil)]).isIntact)
        #expect {
            _ = try test.store.verify(projectors: [Counting(failOn: nil, intrudes: true)])
        } throws: { "\($0)".contains("readonly") }
        let rows = try DatabaseQueue(path: test.paths.store).read { db in try String.fetchAll(db, sql: "SELECT seq FROM seen ORDER BY seq") }
        #expect(rows == ["0", "1", "2"])
    }

    /// `rebuild` drops the projection tables without zeroing their pages (they hold nothing the log does not);
    /// the store's connection must zero what it frees again afterwards, or a person forgotten later would
    /// leave their vault rows in free pages.
    @Test func aRebuildLeavesTheStoreZeroingWhatItFrees() throws {
        var test = try TestStore()
        try test.ingest(TestStore.events(5), projectors: [Counting(failOn: nil)])
        #expect(try test.store.rebuildProjections([Counting(failOn: nil)]) == 5)
        #expect(try test.store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") } == 1)
        #expect(throws: LogError.self) { try test.store.rebuildProjections([Counting(failOn: 3)]) }
        #expect(try test.store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") } == 1)
        #expect(try test.store.verify(projectors: [Counting(failOn: nil)]).isIntact)
    }

    /// A replay reads each stored event in place (`LogEntry.event(inLeaf:)`): a leaf that is not a log record, or
    /// whose event is not an OpenLineage one, stops a rebuild as an integrity failure, and the rebuild leaves the
    /// projections as they were.
    @Test func aRebuildRefusesALeafThatIsNotALogRecord() throws {
        /// Same-length edits of event 1's leaf, given its text.
        let cases: [(patches: (String) -> [(String, String)], message: String)] = [
            ({ _ in [("\"seq\":1", "\"seq\":x")] }, "not a Custody log record"),
            // Well-formed JSON, but the batch a number: its UUID and quotes (38 characters) become 38 digits.
            ({ leaf in
                let start = leaf.range(of: "\"batch\":")!.upperBound
                return [(String(leaf[start...].prefix(38)), String(repeating: "7", count: 38))]
            }, "not a Custody log record"),
            // No member left that names a kind of event.
            ({ _ in [("\"eventType\":", "\"eventTypX\":"), ("\"run\":{", "\"ruX\":{"), ("\"job\":{", "\"joX\":{"), ("RunEvent\"", "RunEvenX\"")] },
             "sequence number 1 is not an OpenLineage event"),
        ]
        for (patches, message) in cases {
            var test = try TestStore()
            try test.ingest(TestStore.events(3), projectors: [Counting(failOn: nil)])
            let editor = try StoreEditor(path: test.paths.store)
            for (old, new) in patches(String(decoding: try editor.leaf(1), as: UTF8.self)) { try editor.patchLeaf(1, replacing: old, with: new) }
            #expect {
                try test.store.rebuildProjections([Counting(failOn: nil)])
            } throws: { error in
                (error as? LogError)?.code == .integrity && "\(error)".contains(message)
            }
            let rows = try DatabaseQueue(path: test.paths.store).read { db in try String.fetchAll(db, sql: "SELECT seq FROM seen ORDER BY seq") }
            #expect(rows == ["0", "1", "2"], "\(message)")
        }
    }

    /// The audit trail reads the log a page of 2,048 events at a time, each page parsed on another thread while
    /// the one before is written: every event of the range must come once, in order, with its own leaf hash,
    /// across page boundaries and from a range that starts and ends inside pages.
    @Test func everyEntryOfARangeComesOnceInOrderAcrossPages() throws {
        var test = try TestStore()
        try test.ingest(TestStore.events(4_500))
        for range in [0..<4_500, 1_000..<4_321, 4_499..<4_500, 20..<20] {
            var seen: [Int] = []
            try test.store.forEachEntry(in: range, preparing: { entry, leafHash in (entry.seq, leafHash) }) { seq, leafHash in
                seen.append(seq)
                if seq % 1_024 == 1 || seq == range.upperBound - 1 {
                    let proven = try test.store.inclusionProof(seq: seq, size: 4_500).leafHash
                    #expect(leafHash == proven, "\(seq)")
                }
            }
            #expect(seen == Array(range), "\(range)")
        }
    }

    @Test func aFailedFirstCreationLeavesNothingBehind() throws {
        let directory = TemporaryDirectory()
        let paths = StorePaths(store: directory.file("new.db"))
        var random = SeededGenerator(seed: 3)
        var ingestRandom = SeededGenerator(seed: 4)
        do {
            try StoreCreation.create(paths, origin: nil, random: &random) { store, vaultKey, _ in
                _ = try Ingestor.ingest([IngestSource.bytes(Array("{\"eventTime\": 1}".utf8), name: "bad.json")], into: store,
                    vaultKey: vaultKey, recordedAt: TestStore.recordedAt, batchID: UUID(), random: &ingestRandom)
            }
            Issue.record("a malformed first ingest created a store")
        } catch {
            #expect(error is IngestError)
        }
        #expect(directory.contents.isEmpty)
    }

    @Test func keyFilesAreReadableByTheirOwnerOnly() throws {
        let test = try TestStore()
        for path in [test.paths.vaultKey, test.paths.signingKey] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
        // No temporary file of the creation is left; -wal and -shm belong to the open connection.
        #expect(test.directory.contents.filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") } == ["store.db", "store.db.signing-key", "store.db.vault-key"])
    }

    @Test func aStoreFromANewerCustodyIsRefused() throws {
        let test = try TestStore()
        try test.store.close()
        let queue = try DatabaseQueue(path: test.paths.store)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')") }
        try queue.close()
        #expect {
            _ = try EventStore.open(at: test.paths.store)
        } throws: { error in (error as? LogError)?.message.contains("newer Custody") == true }
    }

    private func vaultCount(_ test: TestStore) throws -> Int {
        try DatabaseQueue(path: test.paths.store).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vault")! }
    }

    private func subjects(of event: JSONValue) -> [String] {
        guard case .array(let outputs)? = event["outputs"], case .array(let subjects)? = outputs.first?["facets"]?["custody_personalData"]?["subjects"] else {
            return []
        }
        return subjects.compactMap(\.stringValue)
    }
}

/// A projector that records each event it sees, and can be told to refuse one, or to empty the table of
/// the store that `verify` attaches beside its replay.
private struct Counting: LogProjector {
    let failOn: Int?
    var intrudes = false
    var name: String { "counting" }
    var tables: [String] { ["seen"] }

    func extract(_ event: JSONValue, kind: EventKind) -> any Sendable { kind.rawValue }

    func begin(_ database: ProjectionDatabase) throws -> any ProjectionWriter {
        try database.execute("CREATE TABLE IF NOT EXISTS seen (seq TEXT PRIMARY KEY, kind TEXT)")
        if intrudes { try database.execute("DELETE FROM store.seen") }
        return Writer(database: database, failOn: failOn)
    }

    struct Writer: ProjectionWriter {
        let database: ProjectionDatabase
        let failOn: Int?

        func project(_ facts: any Sendable, seq: Int, tokens: any SubjectTokens) throws {
            if seq == failOn { throw LogError(.invalidInput, "refused by the projector") }
            try database.execute("INSERT INTO seen VALUES (?, ?)", [String(seq), facts as? String])
        }
    }
}
