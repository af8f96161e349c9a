import ArgumentParser
import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyReports
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the lineage in a standard format.",
        subcommands: [ProvExportCommand.self])
}

struct ProvExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prov",
        abstract: "W3C PROV-XML of the whole store, or of one person's trail, with DPV terms.",
        discussion: """
            Datasets become entities, runs activities (with their DPV processing, purpose and legal-basis terms), jobs software agents acting for their controller, and recipients organisations the copies they received are attributed to. The document is validated against the W3C PROV-XML schema before it is written. With --subject, only the datasets that hold or held the person's data and the runs that moved, disclosed or consulted it (needs the vault key); the person's identifiers are not written.

            Example:  custody export prov --output lineage.provx
                      custody export prov --subject alice@example.com --output alice.provx
            """)

    @OptionGroup var globals: GlobalOptions

    @Option(name: .customLong("subject"), parsing: .upToNextOption, help: ArgumentHelp("Only this person's trail.", valueName: "id"))
    var identifiers: [String] = []

    @Option(help: ArgumentHelp("Write the document to this file (default: standard output). The file appears only when complete and valid.", valueName: "file"))
    var output: String?

    func validate() throws {
        try OptionChecks.identifiers(identifiers, option: "--subject")
    }

    func run() throws {
        _ = try globals.outputFormat(allowed: [.xml], default: .xml)
        let context = globals.context
        let lineage = try globals.lineage().pinned()
        let export = identifiers.isEmpty
            ? try ProvExport(lineage: lineage)
            : try ProvExport(lineage: lineage, subject: identifiers, vaultKey: try globals.paths.readVaultKey())
        try DocumentOutput.write(to: output, named: "lineage.provx", context: context) { path in try export.write(to: path) }
    }
}
