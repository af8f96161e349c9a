import ArgumentParser
import CustodyLineage
import CustodyLog

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Drop and rebuild all projections from the log.",
        discussion: """
            The projections (datasets, runs, edges, subjects named on datasets, column lineage) are derived from the log and kept current at every ingest; rebuild replays the whole log into them in one transaction. Use it after 'verify' reports an edited projection (keep the damaged file as evidence first).

            Example:  custody rebuild
            """)

    @OptionGroup var globals: GlobalOptions

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let context = globals.context
        let store = try EventStore.open(at: globals.paths.store)
        let line = ProgressLine(context)
        let replayed = try line.whileShown {
            try store.rebuildProjections([LineageProjector()], progress: line.isShown ? { line.show("replayed \($0) of \($1) events…") } : nil)
        }
        switch format {
        case .json:
            context.print(JSONOutput.object([("replayed", .number(replayed))]))
        default:
            context.print("rebuilt the projections from \(counted(replayed, "event"))")
        }
    }
}
