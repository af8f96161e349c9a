import ArgumentParser
import CustodyLineage
import CustodyLog
import CustodyPolicy
import Foundation

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest OpenLineage events (a JSON object, a JSON array, or JSON Lines).",
        discussion: """
            Reads the files in order (standard input when none is given, or for '-'). The call is atomic: every event is recorded, or none is. A malformed event is reported with its file, line and field, and the command exits 2. Creates the store and keys, as 'init' would, when none exists.

            Example:  custody ingest events/2026-03-01.jsonl
                      airflow-export | custody ingest -
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("Files of events; '-' is standard input.", valueName: "file"))
    var files: [String] = []

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let context = globals.context
        if (files.isEmpty || files.contains("-")) && context.standardInputIsTerminal {
            context.printError("reading events from standard input; end with Ctrl-D, or name a file: custody ingest FILE")
        }
        let sources = try (files.isEmpty ? ["-"] : files).map { file throws -> IngestSource in
            file == "-" ? IngestSource(name: "<stdin>", readChunk: context.readStandardInput) : try IngestSource.file(file)
        }
        let paths = globals.paths
        let line = ProgressLine(context)
        let progress: ((Int) -> Void)? = line.isShown ? { line.show("ingested \($0) events…") } : nil
        let ingest = { (store: EventStore, vaultKey: VaultKey) throws -> IngestSummary in
            var random = SystemRandomNumberGenerator()
            return try Ingestor.ingest(sources, into: store, vaultKey: vaultKey, recordedAt: context.now, batchID: UUID(),
                random: &random, projectors: [LineageProjector()], progress: progress)
        }
        let summary = try line.whileShown { () throws -> IngestSummary in
            if paths.storeExists { return try ingest(try EventStore.open(at: paths.store), try paths.readVaultKey()) }
            var random = SystemRandomNumberGenerator()
            return try StoreCreation.create(paths, origin: nil, random: &random) { store, vaultKey, _ in try ingest(store, vaultKey) }
        }
        let forgotten = forgetCompletedErasures()
        let receipt = summary.receipt
        switch format {
        case .json:
            context.print(JSONOutput.object([
                ("events", .number(receipt.eventCount)), ("runEvents", .number(summary.runEvents)),
                ("datasetEvents", .number(summary.datasetEvents)), ("jobEvents", .number(summary.jobEvents)),
                ("batch", receipt.eventCount == 0 ? .null : .string(receipt.batchID)),
                ("firstSeq", receipt.eventCount == 0 ? .null : .number(receipt.firstSeq)),
                ("newSubjects", .number(receipt.newSubjects)),
                ("logSize", .number(receipt.treeSize)), ("root", .string(receipt.root.base64)),
                ("forgotten", .array(forgotten.map { .string($0) })),
            ]))
        default:
            if receipt.eventCount == 0 {
                context.print("no events in the input; nothing was recorded (log size \(receipt.treeSize))")
                return
            }
            context.print("ingested \(counted(receipt.eventCount, "event")) (\(summary.runEvents) run, \(summary.datasetEvents) dataset, \(summary.jobEvents) job) as events \(receipt.firstSeq)–\(receipt.treeSize - 1)")
            if receipt.newSubjects > 0 { context.print("  \(counted(receipt.newSubjects, "new data subject")), stored as tokens") }
            if summary.notedEvents > 0 {
                context.print("  \(counted(summary.notedEvents, "event")) with a time without an offset, read as UTC and noted")
            }
            context.print("  log size \(receipt.treeSize), root \(receipt.root.base64)")
            for request in forgotten {
                context.print("  erasure request \(request) is complete: the person is forgotten (custody erase --status \(request))")
            }
        }
    }

    /// The events just ingested may have closed the last items of erasure requests: their people are
    /// forgotten now, each in its own transaction after the batch (a crash in between is resumed by the
    /// next ingest or erase). The events are recorded whatever happens here, so a failure is a warning
    /// that says how to finish, not a failed ingest.
    private func forgetCompletedErasures() -> [String] {
        let paths = globals.paths
        do {
            let store = try EventStore.open(at: paths.store)
            guard !(try store.openErasureRequests()).isEmpty else { return [] }
            var random = SystemRandomNumberGenerator()
            return try ErasureLifecycle(store: store, pack: try globals.pack(), vaultKey: try paths.readVaultKey())
                .forgetCompleted(now: globals.context.now, random: &random)
        } catch {
            globals.context.printError("warning: the events were recorded, but forgetting the people of completed erasure requests "
                + "did not finish (\(error)); run 'custody erase --status' to finish it")
            return []
        }
    }
}
