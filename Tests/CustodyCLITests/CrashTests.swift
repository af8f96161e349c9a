import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyTestSupport
import Foundation
import Testing

/// Crash safety (reference/tamper-evidence.md §6.3, C1): a writer acknowledges each batch after its
/// commit returns and is killed with SIGKILL at random moments. Every acknowledged batch must then be
/// present in full, no batch may be partly visible, and the log must verify.
struct CrashTests {
    static let batchSize = 25

    @Test func killedWritersLoseNoAcknowledgedBatchAndLeaveNoPartialOne() throws {
        let directory = TemporaryDirectory()
        let store = directory.file("crash.db")
        #expect(CLIRun(["init", "--store", store]).status == 0)
        var random = SeededGenerator(seed: 2026)
        var acknowledged: [String] = []
        for _ in 0..<50 {
            acknowledged += try Self.runAndKill(store: store, afterMilliseconds: 20 + Int(random.next() % 250))
            try Self.check(store: store, acknowledged: acknowledged)
        }
        #expect(acknowledged.count > 10, "the writer should have committed batches before the kills")
    }

    /// Starts the writer, kills it after `milliseconds`, and returns the batch ids it acknowledged.
    static func runAndKill(store: String, afterMilliseconds milliseconds: Int) throws -> [String] {
        let process = Process()
        process.executableURL = BuiltProducts.executable("custody-crash-writer")
        process.arguments = [store, String(batchSize)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(useconds_t(milliseconds * 1000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // Only whole lines are acknowledgements: a kill can cut the last one short.
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    static func check(store path: String, acknowledged: [String]) throws {
        let store = try EventStore.open(at: path)
        defer { try? store.close() }
        var perBatch: [String: Int] = [:]
        var next = 0
        while true {
            let page = try store.entries(from: next, limit: 5000)
            guard let last = page.last else { break }
            for entry in page { perBatch[entry.batchID, default: 0] += 1 }
            next = last.seq + 1
        }
        for batch in acknowledged {
            #expect(perBatch[batch] == batchSize, "acknowledged batch \(batch) is not present in full")
        }
        for (batch, count) in perBatch {
            #expect(count == batchSize, "batch \(batch) is partly visible: \(count) of \(batchSize) events")
        }
        let report = try store.verify(projectors: [LineageProjector()])
        #expect(report.isIntact, "\(report.problems.first?.message ?? "")")
        // The projections were kept in the same transactions as the events: they cover exactly the log.
        #expect(report.projections?.events == report.size)
    }
}

/// The built executable, run as a user would: catches entry-point bugs that in-process tests cannot.
struct ExecutableTests {
    @Test func theBuiltBinaryRunsTheDemoFromAnotherDirectory() throws {
        let directory = TemporaryDirectory()
        let run = try BuiltProducts.run(BuiltProducts.executable("custody"), ["demo", "--output", "out"], in: directory.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("verify       ok"))
        let verify = try BuiltProducts.run(BuiltProducts.executable("custody"),
            ["verify", "--checkpoint", "out/checkpoint.txt", "--key", "out/verifier.key"], in: directory.path,
            environment: ["CUSTODY_STORE": "out/demo.db"])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test func aParsingErrorExitsTwoFromTheBinary() throws {
        let run = try BuiltProducts.run(BuiltProducts.executable("custody"), ["ingest", "--no-such-option"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--no-such-option"))
    }
}
