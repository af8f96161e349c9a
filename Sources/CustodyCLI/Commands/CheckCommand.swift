import ArgumentParser
import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPolicy

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Judge the store against the policy pack: findings with rule, article, severity and evidence.",
        discussion: """
            Runs every enabled rule of the pack (the built-in GDPR pack with the --policies folder laid over it) over the lineage as of --as-of. Each finding names its rule and GDPR article, its severity (violation, warning, info), what it concerns (a dataset, a run, a recipient), what exactly is wrong, the events that prove it (sequence numbers, for `custody log`), and the remedy. Chapter V findings say which branch gave the transfer its basis: adequacy, an Art. 46 safeguard, an Art. 49 derogation, or none. Exit 1 when any finding is a violation, 0 otherwise.

            Example:  custody check
                      custody check --dataset dataset:s3://exports:audience --format json
                      custody check --subject alice@example.com --as-of 2026-03-01
            """)

    @OptionGroup var globals: GlobalOptions

    @Option(name: .customLong("dataset"), help: ArgumentHelp("Only findings about this dataset and the runs that read or wrote it.", valueName: "node"))
    var dataset: String?

    @Option(name: .customLong("subject"), help: ArgumentHelp("Only findings about where this person's data is and how it got there (repeatable).", valueName: "id"))
    var subjects: [String] = []

    func validate() throws {
        if dataset != nil && !subjects.isEmpty { throw ValidationError("give --dataset or --subject, not both") }
        try OptionChecks.identifiers(subjects, option: "--subject")
    }

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let pack = try globals.pack()
        let lineage = try globals.lineage(pack: pack)
        let scope: PolicyEngine.Scope
        if let dataset { scope = .dataset(dataset) } else if !subjects.isEmpty {
            scope = .subject(subjects.compactMap(SubjectIdentifier.init), vaultKey: try globals.paths.readVaultKey())
        } else { scope = .everything }
        let result = try PolicyEngine(pack: pack).check(lineage, scope: scope, now: globals.context.now)
        switch format {
        case .json: PolicyJSON.write(result, to: globals.context.standardOutput)
        default: PolicyText.write(result, to: globals.context.standardOutput)
        }
        if result.hasViolations { throw ExitCode(1) }
    }
}
