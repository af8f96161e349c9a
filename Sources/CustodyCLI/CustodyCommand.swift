import ArgumentParser

/// The root of the `custody` command line.
struct CustodyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custody",
        abstract: "A GDPR data-lineage audit engine: a tamper-evident log of OpenLineage events.",
        discussion: """
            Global options (--store, --policies, --as-of, --known-at, --format) may stand before or after the command name. Exit codes: 0 success, 1 a check failed (verify found an integrity failure), 2 bad input or usage, 3 anything else (I/O, a missing or wrong key).

            Start with:  custody demo
            """,
        version: CustodyVersion.current,
        subcommands: [
            InitCommand.self, IngestCommand.self, LogCommand.self, VerifyCommand.self, CheckpointCommand.self,
            KeyCommand.self, RebuildCommand.self, LineageCommand.self, DatasetsCommand.self, DatasetCommand.self,
            SubjectCommand.self, CheckCommand.self, DecideCommand.self, RetentionCommand.self, EraseCommand.self, ReportCommand.self, ExportCommand.self, DemoCommand.self,
        ])
}

/// The engine version that reports and `--version` name.
public enum CustodyVersion {
    public static let current = "0.1.0"
}
