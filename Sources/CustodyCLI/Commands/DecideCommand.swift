import ArgumentParser
import CustodyLog
import CustodyPolicy

struct DecideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Pre-flight: would these events break a rule? Allow (exit 0) or deny (exit 1); ingests nothing.",
        discussion: """
            Reads proposed OpenLineage events (a file, or - for standard input) as `custody ingest` would, lays them over the store as it is now, and runs the policy pack. The findings that cite a proposed event decide: any violation denies (exit 1), otherwise the events are allowed (exit 0), with their warnings. Nothing is written: the events are appended in a transaction that is rolled back. Bad input is exit 2, naming the file, line and field. A pipeline can call this before a transfer and stop when it is denied.

            Example:  custody decide proposed-export.json
                      airflow-emit --dry-run | custody decide - --format json
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The proposed events (JSON, JSON array or JSON Lines); - for standard input.", valueName: "file"))
    var file: String

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let context = globals.context
        let source = file == "-" ? IngestSource(name: "<stdin>", readChunk: context.readStandardInput) : try IngestSource.file(file)
        let pack = try globals.pack()
        let store = try EventStore.open(at: globals.paths.store)
        var random = SystemRandomNumberGenerator()
        let decision = try PolicyEngine(pack: pack).decide([source], store: store, vaultKey: try globals.paths.readVaultKey(),
            recordedAt: context.now, random: &random)
        switch format {
        case .json: context.print(PolicyJSON.decision(decision))
        default: context.standardOutput(PolicyText.decision(decision))
        }
        if !decision.allowed { throw ExitCode(1) }
    }
}
