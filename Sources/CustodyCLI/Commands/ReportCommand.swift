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
        subcommands: [DSARReportCommand.self, RoPAReportCommand.self, AuditReportCommand.self, RetentionReportCommand.self, TransfersReportCommand.self, BreachReportCommand.self])
}

/// What every report command shares: the output file, and writing the report there (or to standard output)
/// only once it is complete and, for XML, valid.
struct ReportOutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the report to this file (default: standard output). The file appears only when complete.", valueName: "file"))
    var output: String?

    /// Makes the report from the pinned lineage view of the store and writes it in the chosen format: what
    /// every report command does once its own options are read.
    func write<R: Report>(with globals: GlobalOptions, _ make: (_ lineage: Lineage, _ now: Date) throws -> R) throws {
        let format = try globals.reportFormat()
        let context = globals.context
        try write(try make(try globals.lineage().pinned(), context.now), format: format, context: context)
    }

    func write<R: Report>(_ report: R, format: ReportFormat, context: CommandContext) throws {
        try DocumentOutput.write(to: output, named: "\(R.kind).\(format.fileExtension)", context: context) { path in
            try ReportRenderer().write(report, format: format, to: path)
        }
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
        try OptionChecks.identifiers(identifiers, option: "--subject")
        try OptionChecks.time(received, option: "--received")
    }

    func run() throws {
        try destination.write(with: globals) { lineage, now in
            try DSARReport(lineage: lineage, identifiers: identifiers, vaultKey: try globals.paths.readVaultKey(), received: received.flatMap(ReportTime.startOf),
                engineVersion: CustodyVersion.current, now: now)
        }
    }
}

struct AuditReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The event trail of a period of the log, with the policy findings that cite its events.",
        discussion: """
            Lists every event recorded from --from (inclusive) until --to (exclusive), by the log's recorded time, with its sequence number, recorded and event time, job, run, operation, datasets, purposes, legal basis and leaf hash; then the findings of the policy pack that cite those events. XML and JSON are written event by event, so a trail of millions of events needs no more memory than one of ten.

            Example:  custody report audit --from 2026-03-01 --to 2026-04-01 --format xml --output march.xml
            """)

    @OptionGroup var globals: GlobalOptions
    @OptionGroup var destination: ReportOutputOptions

    @Option(help: ArgumentHelp("The first recorded time to include (RFC 3339, or a date: its start).", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("The recorded time to stop before (RFC 3339, or a date: its start).", valueName: "time"))
    var to: String?

    func validate() throws {
        try OptionChecks.time(from, option: "--from")
        try OptionChecks.time(to, option: "--to")
    }

    func run() throws {
        try destination.write(with: globals) { lineage, now in
            try AuditReport(lineage: lineage, from: from.flatMap(ReportTime.startOf), to: to.flatMap(ReportTime.startOf),
                engineVersion: CustodyVersion.current, now: now)
        }
    }
}

struct BreachReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breach",
        abstract: "What a leak of one dataset exposes (GDPR Art. 33, 34), with the 72-hour clock.",
        discussion: """
            The people whose data is in the dataset (confirmed and derived), its categories with the Art. 9 and Art. 10 flags that make a high risk likely, the copies made from it downstream, the recipients it or they went to, and, with --aware-at, the deadline to notify the supervisory authority (72 hours, Art. 33(1)).

            Example:  custody report breach --dataset crm.customers --aware-at 2026-03-06T14:30:00Z
            """)

    @OptionGroup var globals: GlobalOptions
    @OptionGroup var destination: ReportOutputOptions

    @Option(help: ArgumentHelp("The breached dataset: dataset:<namespace>:<name>, or a unique name.", valueName: "node"))
    var dataset: String

    @Option(name: .customLong("aware-at"), help: ArgumentHelp("When the controller became aware of the breach (RFC 3339, or a date: its start).", valueName: "time"))
    var awareAt: String?

    func validate() throws {
        try OptionChecks.time(awareAt, option: "--aware-at")
    }

    func run() throws {
        try destination.write(with: globals) { lineage, now in
            try BreachReport(lineage: lineage, dataset: dataset, awareAt: awareAt.flatMap(ReportTime.startOf), engineVersion: CustodyVersion.current, now: now)
        }
    }
}

struct RetentionReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "The retention plan (Art. 5(1)(e), 17): what is past or near its deadline, and what Art. 17(3) holds keep.",
        discussion: "The same plan as `custody retention`, as a report. Example:  custody report retention --as-of 2027-01-01 --output plan.html")

    @OptionGroup var globals: GlobalOptions
    @OptionGroup var destination: ReportOutputOptions

    func run() throws {
        try destination.write(with: globals) { lineage, now in
            try RetentionReport(lineage: lineage, erasures: try globals.erasureStatuses(lineage, now: now), engineVersion: CustodyVersion.current, now: now)
        }
    }
}

struct TransfersReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfers",
        abstract: "Every transfer of personal data outside the EEA, with its Chapter V basis (Art. 44-49).",
        discussion: "Example:  custody report transfers --format xml --output transfers.xml")

    @OptionGroup var globals: GlobalOptions
    @OptionGroup var destination: ReportOutputOptions

    func run() throws {
        try destination.write(with: globals) { lineage, now in try TransfersReport(lineage: lineage, engineVersion: CustodyVersion.current, now: now) }
    }
}

/// Times given to report options: RFC 3339, or a date meaning the start of that day UTC (a period or an
/// awareness begins then; `--as-of` dates mean the end of the day, as spec/cli.md says).
enum ReportTime {
    static func startOf(_ text: String) -> Date? {
        text.count == 10 ? RFC3339.parseInstant(text + "T00:00:00Z") : RFC3339.parseInstant(text)
    }
}

struct RoPAReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ropa",
        abstract: "The record of processing activities (GDPR Art. 30(1)), with the drift between what the pack declares and the log shows.",
        discussion: """
            One activity per controller and purpose, built from the runs the log shows: its jobs, legal bases, data subjects, categories, recipients, transfers with their basis, erasure time limits (the pack's retention periods), sources and locations; the controller facts and security measures come from the pack's `controller` section. The drift section lists recipients the pack does not declare (controller.recipients) and purposes and categories its taxonomy does not know.

            Example:  custody report ropa --output ropa.html
            """)

    @OptionGroup var globals: GlobalOptions
    @OptionGroup var destination: ReportOutputOptions

    func run() throws {
        try destination.write(with: globals) { lineage, now in try RoPAReport(lineage: lineage, engineVersion: CustodyVersion.current, now: now) }
    }
}
