@testable import CustodyLog
import CustodyTestSupport
import Foundation
import Testing

/// `custody erase` as a DPO runs it on the policy fixture: the request, its report, the recipients told,
/// the pipeline's erasures arriving through `custody ingest`, and the person forgotten at the end.
struct EraseCommandTests {
    static func withStore(_ body: (_ directory: TemporaryDirectory, _ arguments: [String]) throws -> Void) throws {
        try CheckCommandTests.withStore { directory, store in
            try body(directory, ["--store", store, "--policies", try PolicyFiles.courtHold(in: directory)])
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func logSize(_ store: [String]) throws -> Int {
        let verify = CLIRun(["verify", "--format", "json"] + store.prefix(2))
        return try #require(try json(verify.stdout)["size"] as? Int)
    }

    @Test func aRequestIsFollowedFromTheCommandLineUntilThePersonIsForgotten() throws {
        try Self.withStore { directory, store in
            let erase = CLIRun(["erase", "carol@example.com", "--ground", "consent_withdrawn", "--reason", "ticket 4711"] + store)
            #expect(erase.status == 0, "\(erase.stderr)")
            let id = try #require(erase.stdout.firstMatch(of: /request (R-[A-Z0-9]{10})/)?.output.1).description
            #expect(erase.stdout.contains("[open] dataset:postgres://crm-db:5432:crm.customers"))
            #expect(erase.stdout.contains("dataset:s3://legal:court/2026-03: hold court (legal_claims, Art. 17(3)(e))"))
            #expect(erase.stdout.contains("[open] Mumbai High Court (public_authority, IN)"))

            // The plan as a report, in each format; XML is validated against reports/xsd/erasure.xsd as it is written.
            for format in ["html", "xml", "json"] {
                let file = directory.file("plan.\(format)")
                let report = CLIRun(["erase", "--status", id, "--format", format, "--output", file] + store)
                #expect(report.status == 0, "\(format): \(report.stderr)")
                #expect(FileManager.default.fileExists(atPath: file))
            }
            let plan = try Self.json(try String(contentsOfFile: directory.file("plan.json"), encoding: .utf8))
            #expect((plan["datasets"] as? [Any])?.count == 9 && (plan["holds"] as? [Any])?.count == 1 && (plan["recipients"] as? [Any])?.count == 4)
            #expect((plan["request"] as? [String: Any])?["status"] as? String == "open")

            let inHouse = CLIRun(["ingest", ExampleFiles.path("erasure-in-house.jsonl")] + store)
            #expect(inHouse.status == 0 && !inHouse.stdout.contains("forgotten"), "\(inHouse.stderr)")
            for recipient in ["AdCo Inc", "Bangalore Support Pvt Ltd", "European Patent Office"] {
                let told = CLIRun(["erase", "--notified", id, recipient] + store)
                #expect(told.status == 0 && told.stdout.contains("[closed] \(recipient)"), "\(told.stderr)")
            }
            let court = CLIRun(["erase", "--notified", id, "Mumbai High Court", "--impossible", "court record, cannot be altered"] + store)
            #expect(court.stdout.contains("impossible to tell on") && court.stdout.contains("court record, cannot be altered"))

            // The pipeline's last erasures arrive: the request is complete and Custody forgets her.
            let copies = CLIRun(["ingest", ExampleFiles.path("erasure-copies.jsonl")] + store)
            #expect(copies.stdout.contains("erasure request \(id) is complete: the person is forgotten"), "\(copies.stdout)")
            let subject = CLIRun(["subject", "carol@example.com"] + store)
            #expect(subject.status == 0 && subject.stdout.hasPrefix("Erased by request \(id) on 2026-03-01; Custody forgot the person on"),
                "\(subject.stdout)")
            let list = try Self.json(CLIRun(["erase", "--status", "--format", "json"] + store).stdout)
            let requests = try #require(list["requests"] as? [[String: Any]])
            #expect(requests.count == 1 && requests[0]["status"] as? String == "complete" && requests[0]["forgotten"] is String)
            #expect(CLIRun(["verify"] + store.prefix(2)).status == 0)
        }
    }

    @Test func badInputIsExitTwoAndRecordsNothing() throws {
        try Self.withStore { directory, store in
            let size = try Self.logSize(store)
            let output = directory.file("plan.html")
            for arguments in [
                ["erase"], ["erase", "carol@example.com", "--ground", "bored"], ["erase", "--status", "R-NOSUCHTHNG"],
                ["erase", "--status", "R-NOSUCHTHNG", "--format", "html", "--output", output],
                ["erase", "--notified", "R-NOSUCHTHNG"], ["erase", "carol@example.com", "--as-of", "2026-03-01"],
                ["erase", "carol@example.com", "--impossible", "why"], ["erase", "--status", "--notified", "R-A", "B"],
                ["erase", "carol@example.com", "--format", "yaml"],
            ] {
                let run = CLIRun(arguments + store)
                #expect(run.status == 2, "\(arguments): \(run.stderr)")
                #expect(run.stderr.hasPrefix("error:") || run.stderr.contains("Usage") || run.stderr.contains("Error"), "\(arguments)")
            }
            let erase = CLIRun(["erase", "carol@example.com"] + store)
            let id = try #require(erase.stdout.firstMatch(of: /request (R-[A-Z0-9]{10})/)?.output.1).description
            let unknown = CLIRun(["erase", "--notified", id, "Nobody Ltd"] + store)
            #expect(unknown.status == 2 && unknown.stderr.contains("its recipients are: AdCo Inc"))
            #expect(try Self.logSize(store) == size + 1, "only the request itself was recorded")
            #expect(!FileManager.default.fileExists(atPath: output))
            let nobody = CLIRun(["erase", "nobody@example.com"] + store)
            #expect(nobody.status == 0 && nobody.stdout.hasPrefix("No data held"))
            #expect(try Self.logSize(store) == size + 1)
        }
    }

    /// reference/tamper-evidence.md §6.3 for erasure: `custody erase --shred` killed with SIGKILL at moments
    /// from its start to after its end leaves a log that verifies, and running it again finishes the
    /// erasure. (The narrow window between forgetting and scrubbing the WAL is pinned down in-process by
    /// `ErasureTests.anErasureInterruptedAfterForgettingIsFinishedByAskingAgain`.)
    @Test func anErasureKilledAtAnyMomentIsFinishedByRunningItAgain() throws {
        let template = TemporaryDirectory()
        let store = template.file("shop.db")
        #expect(CLIRun(["ingest", "--store", store, CheckCommandTests.fixture]).status == 0)
        let lookup = try StorePaths(store: store).readVaultKey().lookup("email:carol@example.com")
        var random = SeededGenerator(seed: 19)
        var outcomes: [Bool] = []
        // Kill later and later, until three runs had finished before the kill.
        for trial in 0..<80 where outcomes.count(where: { $0 }) < 3 {
            let directory = TemporaryDirectory()
            let copy = directory.file("shop.db")
            for suffix in ["", ".vault-key", ".signing-key"] { try FileManager.default.copyItem(atPath: store + suffix, toPath: copy + suffix) }
            let process = Process()
            process.executableURL = BuiltProducts.executable("custody")
            process.arguments = ["erase", "carol@example.com", "--shred", "--store", copy]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(1000 * (trial * 8 + Int(random.next() % 8))))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let verify = CLIRun(["verify", "--store", copy])
            #expect(verify.status == 0, "trial \(trial): \(verify.stdout) \(verify.stderr)")
            let killed = try #require(try Self.json(CLIRun(["erase", "--status", "--format", "json", "--store", copy]).stdout)["requests"] as? [Any])
            outcomes.append(!killed.isEmpty)
            let again = CLIRun(["erase", "carol@example.com", "--shred", "--store", copy])
            #expect(again.status == 0, "trial \(trial): \(again.stderr)")
            let list = try Self.json(CLIRun(["erase", "--status", "--format", "json", "--store", copy]).stdout)
            let requests = try #require(list["requests"] as? [[String: Any]])
            #expect(requests.count == 1 && requests[0]["forgotten"] is String, "trial \(trial): \(requests)")
            let leaks = StoreFiles.holding([lookup, Array("carol@example.com".utf8)], store: copy)
            #expect(leaks.isEmpty, "trial \(trial): the store files \(leaks) still hold her identifier or its lookup")
            #expect(CLIRun(["verify", "--store", copy]).status == 0)
        }
        #expect(outcomes.contains(false) && outcomes.contains(true), "kills should land both before and after the request was recorded")
    }
}
