import ArgumentParser
import CustodyLog

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign and print a checkpoint (C2SP signed note) of the log as it is; keep it outside the machine.",
        discussion: """
            The checkpoint names the log's origin, its size and its Merkle root, signed with the store's signing key. Only a checkpoint held elsewhere lets 'verify --checkpoint' detect a rewrite or a truncation. The checkpoint is also kept in the store, for reports.

            Example:  custody checkpoint > /mnt/audit/custody-$(date +%F).txt
            """)

    @OptionGroup var globals: GlobalOptions

    func run() throws {
        _ = try globals.outputFormat(allowed: [.text], default: .text)
        let paths = globals.paths
        let store = try EventStore.open(at: paths.store)
        let note = try store.signCheckpoint(with: try paths.readSigner(), at: globals.context.now)
        globals.context.standardOutput(note.serialized)
    }
}
