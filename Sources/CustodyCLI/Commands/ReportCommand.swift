import ArgumentParser
import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyReports
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an audit report: HTML for people (the default), XML validated against its schema, or JSON.",
        discussion: """
            Every report ends with an evidence block: the log size and Merkle root it was made from (as `custody verify` prints them), the newest stored checkpoint with a consistency proof, the policy pack's digest and the engine version. The same store, policies and --as-of give byte-identical reports. See docs/reports.md.
            """,
        subcommands: [DSARReportCommand.self])
}

/// What every report command shares: the output file, and writing the report there (or to standard output)
/// only once it is complete and, for XML, valid.
struct ReportOutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the report to this file (default: standard output). The file appears only when complete.", valueName: "file"))
    var output: String?

    func write<R: Report>(_ report: R, format: ReportFormat, context: CommandContext) throws {
        if let output {
            try ReportRenderer().write(report, format: format, to: output)
            return
        }
        // Standard output gets the report only once it is whole and valid: it is made in a scratch folder first.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custody-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("\(R.kind).\(format.fileExtension)").path
        try ReportRenderer().write(report, format: format, to: file)
        context.standardOutput(try String(contentsOfFile: file, encoding: .utf8))
    }
}

extension GlobalOptions {
    /// The report format: `--format html|xml|json`, HTML by default.
    func reportFormat() throws -> ReportFormat {
        let chosen = try outputFormat(allowed: [.html, .xml, .json], default: .html)
        return ReportFormat(rawValue: chosen.rawValue)!
    }
}

struct DSARReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dsar",
        abstract: "The answer to a data subject's access request (GDPR Art. 15).",
        discussion: """
            Give every identifier verified for the person. The report confirms whether their data is processed and, per purpose, gives the legal basis, categories, recipients with dates, transfers with their Chapter V basis, retention, sources, automated decisions, consultations, where the data is held (to retrieve the copy, Art. 15(3)), the rights statements and inclusion proofs for every event it cites. With --received, the Art. 12(3) deadline (one month) is shown. A person of whom nothing is held gets a report that says so (exit 0). Needs the store's vault key.

            Example:  custody report dsar --subject alice@example.com --received 2026-03-10 --output alice.html
            """)

    @OptionGroup var globals: GlobalOptions
    @OptionGroup var destination: ReportOutputOptions

    @Option(name: .customLong("subject"), parsing: .upToNextOption, help: ArgumentHelp("The person's identifiers.", valueName: "id"))
    var identifiers: [String] = []

    @Option(help: ArgumentHelp("When the request was received (RFC 3339 or a date), for the Art. 12(3) deadline.", valueName: "date"))
    var received: String?

    func validate() throws {
        guard !identifiers.isEmpty else { throw ValidationError("name the person: custody report dsar --subject ID…") }
        for (index, identifier) in identifiers.enumerated() where SubjectIdentifier(identifier) == nil {
            throw ValidationError("identifier \(index + 1) is empty once normalised (a phone number needs digits)")
        }
        if let received, RFC3339.parseInstant(received) == nil {
            throw ValidationError("--received '\(received)' is neither an RFC 3339 time nor a date")
        }
    }

    func run() throws {
        let format = try globals.reportFormat()
        let context = globals.context
        let lineage = try globals.lineage().pinned()
        // A date means the start of that day here: the request arrived on it.
        let receivedAt = received.flatMap { text in text.count == 10 ? RFC3339.parseInstant(text + "T00:00:00Z") : RFC3339.parseInstant(text) }
        let report = try DSARReport(lineage: lineage, identifiers: identifiers, vaultKey: try globals.paths.readVaultKey(), received: receivedAt,
            engineVersion: CustodyVersion.current, now: context.now)
        try destination.write(report, format: format, context: context)
    }
}
