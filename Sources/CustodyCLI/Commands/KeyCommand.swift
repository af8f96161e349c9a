import ArgumentParser
import CustodyLog

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Work with the store's keys.",
        subcommands: [KeyExportCommand.self])
}

struct KeyExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print the verifier key (name+keyid+base64) that auditors need to check checkpoints.",
        discussion: "Example:  custody key export > custody.vkey")

    @OptionGroup var globals: GlobalOptions

    func run() throws {
        _ = try globals.outputFormat(allowed: [.text], default: .text)
        let paths = globals.paths
        let signer = try paths.readSigner()
        if paths.storeExists { try EventStore.open(at: paths.store).checkSigner(signer) }
        globals.context.print(signer.verifier.description)
    }
}
