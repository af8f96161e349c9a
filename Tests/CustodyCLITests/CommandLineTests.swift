@testable import CustodyCLI
import CustodyLog
import CustodyModel
import CustodyTestSupport
import Foundation
import GRDB
import Testing

struct CommandLineTests {
    @Test func theEmbeddedDemoPipelineMatchesItsSourceFile() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/demo-pipeline.jsonl")
        let text = try String(contentsOf: source, encoding: .utf8)
        #expect(EmbeddedResources.demoPipeline + "\n" == text, "run scripts/embed-resources after editing examples/")
    }

    @Test func globalOptionsWorkBeforeAndAfterTheCommandName() throws {
        let directory = TemporaryDirectory()
        let store = directory.file("s.db")
        let events = TestStore.events(3).joined(separator: "\n")
        #expect(CLIRun(["--store", store, "ingest", "-"], stdin: events).status == 0)
        let before = CLIRun(["--store", store, "--format", "json", "log"])
        let after = CLIRun(["log", "--format=json", "--store", store])
        let environment = CLIRun(["log", "--format", "json"], environment: ["CUSTODY_STORE": store])
        #expect(before.status == 0 && before.stdout == after.stdout && after.stdout == environment.stdout)
        #expect(before.stdout.contains("\"seq\":2"))
    }

    @Test(arguments: [["frobnicate"], ["log", "--limit", "many"], ["log", "--bogus"], ["log", "--from", "-3"], ["verify", "--checkpoint"]])
    func argumentErrorsExitTwo(arguments: [String]) {
        let run = CLIRun(arguments + ["--store", "/nonexistent/x.db"])
        #expect(run.status == 2)
        #expect(!run.stderr.isEmpty)
    }

    @Test func badGlobalOptionValuesExitTwo() throws {
        let directory = TemporaryDirectory()
        let store = directory.file("s.db")
        #expect(CLIRun(["init", "--store", store]).status == 0)
        #expect(CLIRun(["log", "--store", store, "--as-of", "2026-03-01"]).status == 0)
        #expect(CLIRun(["--known-at", "2026-03-01T10:00:00Z", "log", "--store", store]).status == 0)
        let badTime = CLIRun(["log", "--store", store, "--as-of", "last tuesday"])
        #expect(badTime.status == 2 && badTime.stderr.contains("--as-of"))
        #expect(CLIRun(["log", "--store", store, "--format", "yaml"]).status == 2)
        try "categories:\n  user.x:\n    name: X\n    criminal: perhaps\n".write(toFile: directory.file("mine.yaml"), atomically: true, encoding: .utf8)
        for run in [CLIRun(["log", "--store", store, "--policies", directory.path]),
                    CLIRun(["log", "--store", store], environment: ["CUSTODY_POLICIES": directory.path])] {
            #expect(run.status == 2)
            #expect(run.stderr.contains(directory.file("mine.yaml") + ":4:"))
        }
    }

    @Test func aFormatTheCommandCannotWriteIsRejected() {
        let run = CLIRun(["checkpoint", "--format", "html", "--store", "/nonexistent/x.db"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--format"))
    }

    @Test func helpAndVersionExitZero() {
        #expect(CLIRun(["--help"]).status == 0)
        #expect(CLIRun(["verify", "--help"]).stdout.contains("--checkpoint"))
        #expect(CLIRun(["--version"]).stdout.contains(CustodyVersion.current))
    }

    /// Each bad input of the contract: exit 2, the message names file, line and field, and the store's
    /// events, root and vault are unchanged.
    @Test(arguments: [
        ("{\"eventType\": \"COMPLETE\", \"eventTime\": }", "malformed JSON", nil as String?),
        (EventFixtures.runEvent().replacingOccurrences(of: #""producer":"https://example.com/etl","#, with: ""), "missing required field 'producer'", "/producer"),
        (EventFixtures.runEvent(eventTime: "2026-03-01 10:05"), "RFC 3339", "/eventTime"),
        (EventFixtures.runEvent(runId: "0192f5b4-3c1e-7a2b-9d4e-5f6a7b8c9d0"), "not a UUID", "/run/runId"),
        (EventFixtures.runEvent(operation: "launder"), "unknown operation", "/run/facets/custody_processing/operation"),
        (EventFixtures.runEvent(country: "XY"), "ISO 3166-1", "/run/facets/custody_processing/recipient/country"),
        (EventFixtures.runEvent(job: "export\\u0000audience"), "control character", "/job/name"),
        (EventFixtures.runEvent().replacingOccurrences(of: #""legalBasis":"consent""#, with: #""legalBasis":"consent","_rows":1e400"#), "not a finite double", nil),
    ])
    func badInputExitsTwoNamingLineAndFieldAndChangesNothing(badEvent: String, fragment: String, pointer: String?) throws {
        let directory = TemporaryDirectory()
        let store = directory.file("s.db")
        #expect(CLIRun(["ingest", "--store", store, "-"], stdin: TestStore.events(2).joined(separator: "\n")).status == 0)
        let snapshot = try StoreSnapshot(store)
        let file = directory.file("day2.jsonl")
        try (TestStore.events(3, offset: 5) + [badEvent] + TestStore.events(1, offset: 9)).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let run = CLIRun(["ingest", "--store", store, file])
        #expect(run.status == 2)
        #expect(run.stderr.contains("\(file):4:"))
        #expect(run.stderr.contains(fragment))
        if let pointer { #expect(run.stderr.contains("field \(pointer):")) }
        #expect(try StoreSnapshot(store) == snapshot)
    }

    @Test func aFailedFirstIngestLeavesNoStoreAndNoKeys() throws {
        let directory = TemporaryDirectory()
        let run = CLIRun(["ingest", "--store", directory.file("new.db"), "-"], stdin: TestStore.events(2).joined(separator: "\n") + "\n{\"eventTime\":\"x\"}")
        #expect(run.status == 2)
        #expect(run.stderr.contains("<stdin>:3:"))
        #expect(directory.contents.isEmpty)
    }

    @Test func aMissingStoreOrAWrongKeyExitsThree() throws {
        let directory = TemporaryDirectory()
        #expect(CLIRun(["log", "--store", directory.file("none.db")]).status == 3)
        let first = directory.file("a.db")
        let second = directory.file("b.db")
        #expect(CLIRun(["init", "--store", first]).status == 0)
        #expect(CLIRun(["init", "--store", second]).status == 0)
        let wrongKey = CLIRun(["ingest", "--store", first, "-"], environment: ["CUSTODY_VAULT_KEY_FILE": second + ".vault-key"],
            stdin: TestStore.events(1)[0])
        #expect(wrongKey.status == 3)
        #expect(wrongKey.stderr.contains("vault key does not belong"))
        #expect(CLIRun(["ingest", "--store", first, "-"], environment: ["CUSTODY_VAULT_KEY_FILE": directory.file("missing")], stdin: TestStore.events(1)[0]).status == 3)
        #expect(CLIRun(["checkpoint", "--store", first], environment: ["CUSTODY_SIGNING_KEY_FILE": second + ".signing-key"]).status == 3)
        #expect(CLIRun(["init", "--store", first]).status == 3)
    }

    /// Long commands show how far they got on a terminal, and wipe that line before anything else is printed
    /// there; into a file or a pipe they print nothing of it.
    @Test func rebuildShowsItsProgressOnATerminalOnly() {
        let directory = TemporaryDirectory()
        let store = directory.file("progress.db")
        #expect(CLIRun(["init", "--store", store]).status == 0)
        #expect(CLIRun(["ingest", "--store", store, "-"], stdin: TestStore.events(5).joined(separator: "\n")).status == 0)
        let shown = CLIRun(["rebuild", "--store", store], terminal: true)
        #expect(shown.status == 0)
        #expect(shown.stderr == "\rreplayed 5 of 5 events…\r\u{1B}[K")
        #expect(shown.stdout == "rebuilt the projections from 5 events\n")
        let piped = CLIRun(["rebuild", "--store", store])
        #expect(piped.stderr.isEmpty)
        #expect(piped.stdout == shown.stdout)
    }

    @Test func theProgressLineIsWipedWhenTheWorkFails() {
        struct Failed: Error {}
        let errors = CapturedOutput()
        let context = CommandContext(environment: [:], now: Date(), standardOutput: { _ in }, standardError: errors.append,
            standardErrorIsTerminal: true)
        let line = ProgressLine(context)
        #expect(throws: Failed.self) { try line.whileShown { line.show("ingested 10000 events…"); throw Failed() } }
        #expect(errors.text == "\ringested 10000 events…\r\u{1B}[K")
    }

    @Test func verifyCountsOneEventInTheSingular() {
        let directory = TemporaryDirectory()
        let store = directory.file("one.db")
        #expect(CLIRun(["init", "--store", store]).status == 0)
        #expect(CLIRun(["ingest", "--store", store, "-"], stdin: TestStore.events(1)[0]).status == 0)
        let verified = CLIRun(["verify", "--store", store])
        #expect(verified.status == 0)
        #expect(verified.stdout.hasPrefix("ok: 1 event; leaves, hash chain and Merkle tree intact"))
    }

    @Test func checkpointKeyExportAndVerifyWorkTogether() throws {
        let directory = TemporaryDirectory()
        let store = directory.file("prod.db")
        #expect(CLIRun(["init", "--store", store, "--origin", "custody.example.com/prod"]).status == 0)
        #expect(CLIRun(["ingest", "--store", store, "-"], stdin: TestStore.events(4).joined(separator: "\n")).status == 0)
        let checkpoint = CLIRun(["checkpoint", "--store", store])
        #expect(checkpoint.status == 0)
        #expect(checkpoint.stdout.hasPrefix("custody.example.com/prod\n4\n"))
        let key = CLIRun(["key", "export", "--store", store])
        #expect(key.stdout.hasPrefix("custody.example.com/prod+"))
        try checkpoint.stdout.write(toFile: directory.file("cp.txt"), atomically: true, encoding: .utf8)
        try key.stdout.write(toFile: directory.file("vkey"), atomically: true, encoding: .utf8)
        #expect(CLIRun(["ingest", "--store", store, "-"], stdin: TestStore.events(2, offset: 4).joined(separator: "\n")).status == 0)
        let verified = CLIRun(["verify", "--store", store, "--checkpoint", directory.file("cp.txt"), "--key", directory.file("vkey")])
        #expect(verified.status == 0)
        #expect(verified.stdout.contains("ok: 6 events"))
        #expect(verified.stdout.contains("extends the checkpoint of size 4"))
        #expect(CLIRun(["verify", "--store", store, "--checkpoint", directory.file("cp.txt")]).status == 2)
        let json = CLIRun(["verify", "--store", store, "--format", "json"])
        #expect(json.stdout.hasPrefix("{\"intact\":true,\"size\":6,"))

        // An edit behind the engine's back: verify exits 1 and names the event.
        let editor = try DatabaseQueue(path: store)
        try editor.write { db in
            try db.execute(sql: "DROP TRIGGER log_entry_no_update")
            try db.execute(sql: "UPDATE log_entry SET leaf = CAST(replace(CAST(leaf AS TEXT), 'consent', 'CONSENT') AS BLOB) WHERE seq = 2")
        }
        try editor.close()
        let tampered = CLIRun(["verify", "--store", store])
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("integrity failure: event 2:"))
    }

    @Test func theDemoBuildsVerifiesAndExplainsItsStore() throws {
        let directory = TemporaryDirectory()
        let run = CLIRun(["demo", "--output", directory.path])
        #expect(run.status == 0)
        // The pipeline's 14 events, and alice's erasure request.
        #expect(run.stdout.contains("verify       ok: 15 events"))
        #expect(run.stdout.contains("5 datasets to erase her from and 1 recipient to tell"))
        #expect(run.stdout.contains("FAIL"))
        #expect(run.stdout.contains("crm/export_audience [transfer]"))
        // The policy pack judges the demo's flows: the US export holds under SCCs with an impact assessment.
        #expect(run.stdout.contains("What the GDPR policy pack finds (custody check): 5 violations, 2 warnings, 1 info"))
        #expect(run.stdout.contains("info transfer-basis (Art. 44-49): export_audience disclosed personal data to AdCo Inc, under scc_commission"))
        #expect(directory.contents == ["checkpoint.txt", "demo.db", "demo.db.signing-key", "demo.db.vault-key", "reports", "verifier.key"])
        // The demo's reports, each in every format, complete (no partial files left).
        let reports = try FileManager.default.contentsOfDirectory(atPath: directory.file("reports")).sorted()
        let kinds = ["audit", "breach-crm-customers", "dsar-alice", "erasure-alice", "retention", "ropa", "transfers"]
        let expected: [String] = kinds.flatMap { name in ["html", "json", "xml"].map { name + "." + $0 } } + ["lineage.provx"]
        #expect(reports == expected.sorted())
        let database = try Data(contentsOf: URL(fileURLWithPath: directory.file("demo.db")))
        for identifier in ["alice@example.com", "Alice@Example.com", "bob@example.com", "dana.berg", "cust-1003", "+49301234567"] {
            #expect(database.range(of: Data(identifier.utf8)) == nil, "\(identifier) is in the demo store")
        }
        // Run twice into the same folder: it starts over rather than failing or mixing stores.
        #expect(CLIRun(["demo", "--output", directory.path]).status == 0)
    }
}

/// What must not change when an ingest call fails: the log's size and root, and the vault.
struct StoreSnapshot: Equatable {
    let size: Int
    let root: SHA256Hash
    let vaultRows: Int
    let batches: Int

    init(_ path: String) throws {
        let store = try EventStore.open(at: path)
        (size, root) = try store.head()
        try store.close()
        let queue = try DatabaseQueue(path: path)
        (vaultRows, batches) = try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vault")!, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM log_batch")!)
        }
        try queue.close()
    }
}
