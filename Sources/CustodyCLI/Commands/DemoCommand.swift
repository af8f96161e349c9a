import ArgumentParser
import CustodyLineage
import CustodyPack
import CustodyPolicy
import CustodyLog
import CustodyModel
import CustodyReports
import Foundation

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a sample store from a bundled pipeline, verify it and show what happened.",
        discussion: """
            The bundled pipeline is a small retailer's: a signup collection, a third-party enrichment, a profile build, an export to a US processor under SCCs, an automated decision that fails and succeeds on a retry, an aggregate, an HR inventory, a support consultation and an erasure. The store, its keys, a signed checkpoint and the reports (in DIR/reports) are written to DIR (a new temporary folder when --output is not given).

            Example:  custody demo --output ./custody-demo
            """)

    @OptionGroup var globals: GlobalOptions

    @Option(help: ArgumentHelp("The folder to build the demo store in.", valueName: "dir"))
    var output: String?

    func run() throws {
        _ = try globals.outputFormat(allowed: [.text], default: .text)
        let context = globals.context
        let directory = try prepareDirectory()
        let paths = StorePaths(store: directory + "/demo.db")
        let lines = EmbeddedResources.demoPipeline.split(separator: "\n").map(String.init)
        // Two calls, as two days of a scheduler would send them: runs accumulate across calls.
        let calls = [Array(lines.prefix(4)), Array(lines.dropFirst(4))]
        var random = SystemRandomNumberGenerator()
        var receipts: [IngestSummary] = []
        try StoreCreation.create(paths, origin: "custody.local/demo", random: &random) { store, vaultKey, _ in
            var random = SystemRandomNumberGenerator()
            for (index, call) in calls.enumerated() {
                let source = IngestSource.bytes(Array((call.joined(separator: "\n") + "\n").utf8), name: "demo-pipeline.jsonl (call \(index + 1))")
                receipts.append(try Ingestor.ingest([source], into: store, vaultKey: vaultKey,
                    recordedAt: context.now.addingTimeInterval(Double(index)), batchID: UUID(), random: &random,
                    projectors: [LineageProjector()]))
            }
        }
        let store = try EventStore.open(at: paths.store)
        let signer = try paths.readSigner()
        let note = try store.signCheckpoint(with: signer, at: context.now)
        let checkpointFile = directory + "/checkpoint.txt"
        let verifierFile = directory + "/verifier.key"
        try note.serialized.write(toFile: checkpointFile, atomically: true, encoding: .utf8)
        try (signer.verifier.description + "\n").write(toFile: verifierFile, atomically: true, encoding: .utf8)

        context.print("Custody demo: a retailer's pipeline, recorded in a tamper-evident log\n")
        context.print("store        \(paths.store)")
        for (index, summary) in receipts.enumerated() {
            context.print("ingest \(index + 1)     \(counted(summary.receipt.eventCount, "event")) as one atomic batch (events \(summary.receipt.firstSeq)–\(summary.receipt.treeSize - 1)), \(counted(summary.receipt.newSubjects, "new data subject"))")
        }
        context.print("\nWhat the log holds:")
        for line in try describe(store.entries(from: 0, limit: 1000)) { context.print("  " + line) }
        context.print("\nPeople are never stored by name: each identifier became a random token, and only the")
        context.print("vault key (\(paths.vaultKey)) links them. 'Alice@Example.com' and 'email:alice@example.com'")
        context.print("are the same person, so they share one token.")
        let pack = try globals.pack()
        let lineage = try Lineage(store: store, pack: pack)
        let trail = try lineage.subject([SubjectIdentifier("alice@example.com")!], vaultKey: try paths.readVaultKey())
        context.print("\nWhere alice@example.com's data went (custody subject):")
        for holding in trail.datasets {
            let how = holding.isConfirmed ? "named there" : "carried there by " + (holding.periods.first?.run?.job.name ?? "a run")
            context.print("  \(holding.dataset.name) (\(holding.location.country?.code ?? "location unknown")): \(how)")
        }
        for disclosure in trail.disclosures {
            context.print("  disclosed to \(disclosure.recipient.name) (\(disclosure.recipient.country ?? "?")) on \(LineageText.time(disclosure.at))")
        }
        let findings = try PolicyEngine(pack: pack).check(lineage, now: context.now).findings
        // Then Alice asks to be erased: the request, and its plan among the reports.
        let erasures = ErasureLifecycle(store: store, pack: pack, vaultKey: try paths.readVaultKey())
        guard let erasure = try erasures.request([SubjectIdentifier("alice@example.com")!], ground: "consent_withdrawn",
            reason: "asked by e-mail after her access request", shred: false, now: context.now, random: &random).status
        else { throw CLIError("the demo pipeline holds no data of alice@example.com to erase") }
        let reports = try writeReports(lineage: Lineage(store: store, pack: pack), vaultKey: try paths.readVaultKey(), erasure: erasure,
            into: directory + "/reports")
        let report = try store.verify(checkpoints: [note.serialized], verifier: signer.verifier)
        let counts = Severity.allCases.map { severity in counted(findings.count { $0.severity == severity }, severity.rawValue) }
        context.print("\nWhat the GDPR policy pack finds (custody check): " + counts.joined(separator: ", "))
        for finding in findings {
            context.print("  \(finding.severity.rawValue) \(finding.rule) (\(finding.article)): \(finding.summary)")
        }
        let items = (erase: erasure.items.count { $0.item.kind == .erase }, notify: erasure.items.count { $0.item.kind == .notify })
        context.print("\nThen alice@example.com asks to be erased (custody erase): request \(erasure.request.id), event \(erasure.request.seq),")
        context.print("  \(counted(items.erase, "dataset")) to erase her from and \(counted(items.notify, "recipient")) to tell, due by \(RFC3339.format(erasure.request.dueBy).prefix(10)).")
        context.print("  The pipeline's erasures close the items; Custody then forgets her (docs/erasure.md).")
        context.print("\nReports written (open the HTML in a browser; the XML validates against reports/xsd/):")
        for file in reports where file.hasSuffix(".html") { context.print("  " + file) }
        context.print("  (and each as .xml and .json; the lineage as W3C PROV-XML in lineage.provx)")
        context.print("\nverify       \(report.isIntact ? "ok" : "FAILED"): \(counted(report.size, "event")), root \(report.root.base64)")
        context.print("checkpoint   \(checkpointFile) (signed; keep such files outside the machine)")
        context.print("verifier key \(verifierFile)")
        context.print("\nTry next:")
        context.print("  custody --store \(paths.store) log")
        context.print("  custody --store \(paths.store) subject alice@example.com")
        context.print("  custody --store \(paths.store) lineage crm.customers")
        context.print("  custody --store \(paths.store) check")
        context.print("  custody --store \(paths.store) erase --status \(erasure.request.id)")
        context.print("  custody --store \(paths.store) verify --checkpoint \(checkpointFile) --key \(verifierFile)")
        if !report.isIntact { throw ExitCode(1) }
    }

    /// Every report the demo can show, in every format, into `folder`.
    private func writeReports(lineage: Lineage, vaultKey: VaultKey, erasure: ErasureStatus, into folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let pinned = try lineage.pinned()
        let now = globals.context.now, version = CustodyVersion.current
        var written: [String] = []
        func write(_ report: some Report, as name: String) throws { written += try self.write(report, as: name, into: folder) }
        try write(try DSARReport(lineage: pinned, identifiers: ["alice@example.com"], vaultKey: vaultKey, received: now, engineVersion: version, now: now),
            as: "dsar-alice")
        try write(try RoPAReport(lineage: pinned, engineVersion: version, now: now), as: "ropa")
        try write(try AuditReport(lineage: pinned, from: nil, to: nil, engineVersion: version, now: now), as: "audit")
        try write(try RetentionReport(lineage: pinned, erasures: [erasure], engineVersion: version, now: now),
            as: "retention")
        try write(try TransfersReport(lineage: pinned, engineVersion: version, now: now), as: "transfers")
        try write(try BreachReport(lineage: pinned, dataset: "crm.customers", awareAt: now, engineVersion: version, now: now), as: "breach-crm-customers")
        try write(try ErasureReport(status: erasure, lineage: pinned, engineVersion: version, now: now), as: "erasure-alice")
        let prov = folder + "/lineage.provx"
        try ProvExport(lineage: pinned).write(to: prov)
        written.append(prov)
        return written
    }

    /// One report in every format, into `folder`; returns the files.
    private func write(_ report: some Report, as name: String, into folder: String) throws -> [String] {
        try ReportFormat.allCases.map { format in
            let file = folder + "/" + name + "." + format.fileExtension
            try ReportRenderer().write(report, format: format, to: file)
            return file
        }
    }

    private func prepareDirectory() throws -> String {
        if let output {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            // Re-running the demo into the same folder starts over; only the demo's own files are removed.
            for name in ["demo.db", "demo.db-wal", "demo.db-shm", "demo.db.vault-key", "demo.db.signing-key", "checkpoint.txt", "verifier.key", "reports"] {
                try? FileManager.default.removeItem(atPath: output + "/" + name)
            }
            return output
        }
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("custody-demo-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else { throw CLIError("cannot create a temporary folder; pass --output DIR") }
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// One line per run (its events merged, as the log's readers will) and per inventory event.
    private func describe(_ entries: [LogEntry]) -> [String] {
        var lines: [String] = []
        var runs: [String: (job: String, states: [String], operation: String?)] = [:]
        var jobDefaults: [String: String] = [:]
        var order: [String] = []
        for entry in entries {
            let event = entry.event
            let job = [event["job"]?["namespace"]?.stringValue, event["job"]?["name"]?.stringValue].compactMap { $0 }.joined(separator: "/")
            if let runId = event["run"]?["runId"]?.stringValue {
                if runs[runId] == nil {
                    order.append(runId)
                    runs[runId] = (job, [], nil)
                }
                runs[runId]!.states.append(event["eventType"]?.stringValue ?? "OTHER")
                if let operation = event["run"]?["facets"]?[ProcessingFacet.name]?["operation"]?.stringValue {
                    runs[runId]!.operation = operation
                }
            } else if let name = event["dataset"]?["name"]?.stringValue {
                lines.append("inventory   \(name): declared by a DatasetEvent")
            } else {
                jobDefaults[job] = event["job"]?["facets"]?[ProcessingFacet.name]?["operation"]?.stringValue
                lines.append("job         \(job): defaults for its runs declared by a JobEvent")
            }
        }
        for runId in order {
            let run = runs[runId]!
            let operation = run.operation ?? jobDefaults[run.job] ?? "transform"
            let failed = run.states.contains("FAIL") || run.states.contains("ABORT")
            lines.append("run         \(run.job) [\(operation)]: \(run.states.joined(separator: " → "))\(failed ? "  (recorded; a failed run moves no data)" : "")")
        }
        return lines
    }
}
