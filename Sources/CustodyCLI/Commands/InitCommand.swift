import ArgumentParser
import CustodyLog

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the store and its two keys.",
        discussion: """
            Creates the store file and, beside it, PATH.vault-key (the key of subject lookups) and PATH.signing-key (the Ed25519 key that signs checkpoints), each readable by its owner only. $CUSTODY_VAULT_KEY_FILE and $CUSTODY_SIGNING_KEY_FILE name other places; a key file that already exists there is used rather than replaced.

            Example:  custody init --store prod.db --origin custody.example.com/prod
            """)

    @OptionGroup var globals: GlobalOptions

    @Option(help: ArgumentHelp("The checkpoint origin, a schema-less URL (default: custody.local/<store name>).", valueName: "name"))
    var origin: String?

    func run() throws {
        let paths = globals.paths
        var random = SystemRandomNumberGenerator()
        let origin = try StoreCreation.create(paths, origin: origin, random: &random) { store, _, _ in try store.origin() }
        let context = globals.context
        context.print("created the store \(paths.store) (checkpoint origin \(origin))")
        context.print("  vault key:   \(paths.vaultKey)")
        context.print("  signing key: \(paths.signingKey)")
        context.print("Keep both keys secret and backed up apart from the store; give auditors 'custody key export'.")
    }
}
