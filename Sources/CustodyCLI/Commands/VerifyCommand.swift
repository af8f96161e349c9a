import ArgumentParser
import CustodyLineage
import CustodyLog
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every leaf, the chain and the Merkle root; prove the log extends checkpoints kept elsewhere.",
        discussion: """
            Alone, verify locates any edit, deletion, swap or insertion of a stored event to its sequence number. A rewrite that recomputes every hash, or a truncated log, shows only against a checkpoint kept outside the machine: pass it with --checkpoint and the auditor's verifier key with --key (the key text, or a file holding it). Exit 1 on any integrity failure.

            Example:  custody verify --checkpoint cp-0301.txt --key custody.vkey
            """)

    @OptionGroup var globals: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("A signed checkpoint kept elsewhere (repeatable).", valueName: "file"))
    var checkpoint: [String] = []

    @Option(name: .long, help: ArgumentHelp("The verifier key the checkpoints are signed with, or a file holding it.", valueName: "verifier"))
    var key: String?

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let context = globals.context
        if !checkpoint.isEmpty && key == nil {
            throw CLIError("--checkpoint needs --key: the verifier key you hold, not the one the store records about itself")
        }
        let verifier = try key.map { text throws -> NoteVerifier in
            let keyText = FileManager.default.fileExists(atPath: text) ? (try? String(contentsOfFile: text, encoding: .utf8)) ?? text : text
            do { return try NoteVerifier(parsing: keyText) } catch { throw CLIError("--key: \(error)") }
        }
        let notes = try checkpoint.map { file throws -> String in
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CLIError("cannot read the checkpoint file \(file)")
            }
            return text
        }
        let store = try EventStore.open(at: globals.paths.store)
        let report = try store.verify(checkpoints: notes, verifier: verifier, projectors: [LineageProjector()])
        switch format {
        case .json:
            context.print(JSONOutput.object([
                ("intact", .bool(report.isIntact)), ("size", .number(report.size)), ("root", .string(report.root.base64)),
                ("checkpoints", .array(report.externalCheckpointSizes.map { .number($0) })),
                ("storedCheckpoints", .number(report.storedCheckpoints)),
                ("projections", report.projections.map { check in
                    .object([("events", .number(check.events)), ("tables", .number(check.tables)), ("rows", .number(check.rows))])
                } ?? .null),
                ("problems", .array(report.problems.map { problem in
                    .object([("kind", .string(problem.kind)), ("from", .number(problem.location.lowerBound)),
                             ("to", .number(problem.location.upperBound)), ("message", .string(problem.message))])
                })),
            ]))
        default:
            if report.isIntact {
                context.print("ok: \(counted(report.size, "event")); leaves, hash chain and Merkle tree intact; root \(report.root.base64)")
                if let check = report.projections, check.events == 0, report.size > 0 {
                    context.print("  lineage tables not built yet: the next ingest or query builds them from the log")
                } else if let check = report.projections {
                    context.print("  projections match a replay of \(counted(check.events, "event")) (\(counted(check.tables, "table")), \(counted(check.rows, "row")))")
                }
                if report.storedCheckpoints > 0 { context.print("  \(counted(report.storedCheckpoints, "stored checkpoint")) re-verified") }
                for size in report.externalCheckpointSizes {
                    context.print("  extends the checkpoint of size \(size) kept elsewhere")
                }
            } else {
                context.printError("integrity failure: \(report.problems[0].message)")
                for problem in report.problems.dropFirst() { context.printError("  also: \(problem.message)") }
                if report.problems.allSatisfy({ $0.kind == "projection-mismatch" }) {
                    context.printError("The log itself is intact; its lineage tables were changed outside Custody. Keep this store file as evidence, then run 'custody rebuild'.")
                } else {
                    context.printError("The log no longer matches what was recorded. Keep this store file as evidence and compare it with a backup.")
                }
            }
        }
        if !report.isIntact { throw ExitCode(1) }
    }
}
