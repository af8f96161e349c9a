import CustodyLog
import CustodyTestSupport
import Foundation
import GRDB
import Testing

/// The tamper matrix of reference/tamper-evidence.md §6.2 on a closed store file: what `verify` finds
/// alone, what only a checkpoint kept elsewhere shows, and what no log can show.
struct TamperTests {
    /// A store of 60 events in 6 batches of 10, with a checkpoint kept "elsewhere" after every batch.
    struct Fixture {
        let test: TestStore
        let checkpoints: [String]

        init() throws {
            var test = try TestStore(seed: 42)
            var checkpoints: [String] = []
            for batch in 0..<6 {
                try test.ingest(TestStore.events(10, offset: batch * 10))
                checkpoints.append(try test.store.signCheckpoint(with: test.signer, at: TestStore.recordedAt).serialized)
            }
            try test.store.close()
            self.test = test
            self.checkpoints = checkpoints
        }

        func editor() throws -> StoreEditor { try StoreEditor(path: test.paths.store) }

        func verify(withCheckpoints: Bool = false) throws -> VerificationReport {
            let store = try EventStore.open(at: test.paths.store)
            defer { try? store.close() }
            return try store.verify(checkpoints: withCheckpoints ? checkpoints : [], verifier: test.signer.verifier)
        }
    }

    @Test func anUntouchedStoreVerifies() throws {
        let fixture = try Fixture()
        let report = try fixture.verify(withCheckpoints: true)
        #expect(report.isIntact)
        #expect(report.size == 60 && report.storedCheckpoints == 6 && report.externalCheckpointSizes == [10, 20, 30, 40, 50, 60])
    }

    @Test(arguments: [0, 17, 33, 59])
    func aChangedByteInOneEventIsLocatedToThatEvent(seq: Int) throws {
        let fixture = try Fixture()
        let editor = try fixture.editor()
        try editor.patchLeaf(seq, replacing: "\"consent\"", with: "\"consenT\"")
        try editor.close()
        let report = try fixture.verify()
        #expect(!report.isIntact)
        #expect(report.problems.first?.location == seq..<(seq + 1))
        #expect(report.problems.first?.kind == "leaf-hash-mismatch")
    }

    @Test(arguments: [0, 25, 58])
    func aDeletedRowIsLocatedToIt(seq: Int) throws {
        let fixture = try Fixture()
        let editor = try fixture.editor()
        try editor.execute("DELETE FROM log_entry WHERE seq = ?", [seq])
        try editor.close()
        let report = try fixture.verify()
        #expect(report.problems.first?.firstSeq == seq)
        #expect(report.problems.contains { $0.kind == "missing-event" && $0.location == seq..<(seq + 1) })
    }

    @Test(arguments: [(3, 4), (10, 41), (0, 59)])
    func twoSwappedRowsAreLocatedToTheFirst(first: Int, second: Int) throws {
        let fixture = try Fixture()
        let editor = try fixture.editor()
        try editor.execute("UPDATE log_entry SET seq = -1 WHERE seq = ?", [first])
        try editor.execute("UPDATE log_entry SET seq = ? WHERE seq = ?", [first, second])
        try editor.execute("UPDATE log_entry SET seq = ? WHERE seq = -1", [second])
        try editor.close()
        let report = try fixture.verify()
        #expect(report.problems.first?.location == first..<(first + 1))
        #expect(report.problems.contains { $0.kind == "sequence-mismatch" && $0.firstSeq == second })
    }

    @Test(arguments: [5, 30])
    func anInsertedRowIsLocatedToIt(seq: Int) throws {
        let fixture = try Fixture()
        let editor = try fixture.editor()
        // Make room by shifting the later rows up, then insert a forged copy of another event at `seq`.
        let forged = try editor.leaf(50)
        try editor.execute("UPDATE log_entry SET seq = -seq - 1000 WHERE seq >= ?", [seq])
        try editor.execute("UPDATE log_entry SET seq = -seq - 1000 + 1 WHERE seq <= -1000")
        try editor.execute("INSERT INTO log_entry (seq, leaf, leaf_hash, chain_hash, nodes) SELECT ?, ?, leaf_hash, chain_hash, nodes FROM log_entry WHERE seq = 51", [seq, Data(forged)])
        try editor.close()
        let report = try fixture.verify()
        #expect(report.problems.first?.location == seq..<(seq + 1))
    }

    @Test func aRewriteThatRecomputesEveryHashIsCaughtOnlyByACheckpointAndLocatedToItsInterval() throws {
        let fixture = try Fixture()
        let editor = try fixture.editor()
        try editor.patchLeaf(34, replacing: "\"consent\"", with: "\"CONSENT\"")
        try editor.recomputeEverything()
        try editor.close()
        #expect(try fixture.verify().isIntact, "a self-consistent rewrite cannot be seen without an outside checkpoint")
        let report = try fixture.verify(withCheckpoints: true)
        #expect(report.problems.map(\.kind) == ["checkpoint-mismatch"])
        #expect(report.problems.first?.location == 30..<40)
    }

    @Test func aTruncatedTailIsCaughtByACheckpointAndLocatedToTheMissingInterval() throws {
        let fixture = try Fixture()
        let editor = try fixture.editor()
        try editor.execute("DELETE FROM log_entry WHERE seq >= 47")
        try editor.execute("DELETE FROM log_batch WHERE tree_size > 47")
        try editor.recomputeEverything()
        try editor.close()
        #expect(try fixture.verify().isIntact)
        let report = try fixture.verify(withCheckpoints: true)
        #expect(report.problems.map(\.kind) == ["truncated"])
        #expect(report.problems.first?.location == 47..<50)
    }

    @Test func aTruncationOrAForgedAppendAfterTheLastCheckpointIsUndetectable() throws {
        // Documented limit (docs/log-guarantees.md): what came after the last checkpoint kept elsewhere
        // can be cut off or extended by whoever controls the file, and no log can tell.
        var test = try TestStore(seed: 5)
        try test.ingest(TestStore.events(10))
        let checkpoint = try test.store.signCheckpoint(with: test.signer, at: TestStore.recordedAt).serialized
        try test.ingest(TestStore.events(5, offset: 10))
        try test.store.close()
        let editor = try StoreEditor(path: test.paths.store)
        try editor.execute("DELETE FROM log_entry WHERE seq >= 12")
        try editor.execute("DELETE FROM log_batch WHERE tree_size > 12")
        try editor.recomputeEverything()
        try editor.close()
        var forger = test
        let forgerStore = try EventStore.open(at: test.paths.store)
        let forged = try Ingestor.ingest([IngestSource.bytes(Array(TestStore.events(1, offset: 99)[0].utf8), name: "forged")],
            into: forgerStore, vaultKey: test.vaultKey, recordedAt: TestStore.recordedAt, batchID: UUID(), random: &forger.random)
        #expect(forged.receipt.treeSize == 13)
        let report = try forgerStore.verify(checkpoints: [checkpoint], verifier: test.signer.verifier)
        #expect(report.isIntact)
    }

    @Test func anEditedStoredCheckpointIsReported() throws {
        let fixture = try Fixture()
        let editor = try fixture.editor()
        try editor.execute("UPDATE checkpoint SET note = replace(note, char(10) || '20' || char(10), char(10) || '21' || char(10)) WHERE tree_size = 20")
        try editor.close()
        let report = try fixture.verify()
        #expect(report.problems.map(\.kind) == ["stored-checkpoint-invalid"])
    }

    @Test func anEditedMerkleNodeIsReported() throws {
        let fixture = try Fixture()
        let editor = try fixture.editor()
        // Row 15 completes the subtrees of levels 1-4; zero the level-2 root (bytes 32-63 of its nodes).
        var nodes = try editor.queue.read { db in try Data.fetchOne(db, sql: "SELECT nodes FROM log_entry WHERE seq = 15")! }
        #expect(nodes.count == 4 * 32)
        nodes.replaceSubrange(32..<64, with: Data(repeating: 0, count: 32))
        try editor.execute("UPDATE log_entry SET nodes = ? WHERE seq = 15", [nodes])
        try editor.close()
        let report = try fixture.verify()
        #expect(report.problems.first?.kind == "node-mismatch")
        #expect(report.problems.first?.location == 12..<16)
    }

    @Test func anEditedChainLinkIsLocatedToItsEvent() throws {
        let fixture = try Fixture()
        let editor = try fixture.editor()
        try editor.execute("UPDATE log_entry SET chain_hash = zeroblob(32) WHERE seq = 20")
        try editor.close()
        let report = try fixture.verify()
        #expect(report.problems.first?.kind == "chain-mismatch")
        #expect(report.problems.first?.location == 20..<21)
    }

    @Test func aDamagedFileFailsClosed() throws {
        let fixture = try Fixture()
        let handle = try #require(FileHandle(forUpdatingAtPath: fixture.test.paths.store))
        // Overwrite a page in the middle of the file: SQLite must not be able to read the store cleanly.
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 8192))
        try handle.close()
        do {
            let report = try fixture.verify()
            #expect(!report.isIntact)
        } catch let error as LogError {
            #expect(error.code == .integrity)
        }
    }
}
