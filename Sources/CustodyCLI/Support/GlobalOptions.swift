import ArgumentParser
import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyPolicy
import Foundation

/// The options every command accepts, before or after its name (spec/cli.md, "Global options").
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store file (default: $CUSTODY_STORE, else ./custody.db).", valueName: "path"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("A folder of policy files laid over the built-in pack (default: $CUSTODY_POLICIES).", valueName: "dir"))
    var policies: String?

    @Option(name: .customLong("as-of"), help: ArgumentHelp("The world as of this event time (RFC 3339, or a date).", valueName: "time"))
    var asOf: String?

    @Option(name: .customLong("known-at"), help: ArgumentHelp("Only what had been recorded by this time.", valueName: "time"))
    var knownAt: String?

    @Option(name: .long, help: ArgumentHelp("Output format: text, json, html or xml, as the command allows.", valueName: "format"))
    var format: String?

    init() {}

    /// Rejects what no command could use, at parse time, so it exits 2 like every usage error.
    func validate() throws {
        for (name, value) in [("--as-of", asOf), ("--known-at", knownAt)] {
            if let value, RFC3339.parseInstant(value) == nil {
                throw ValidationError("\(name) '\(value)' is neither an RFC 3339 time (2026-03-01T10:05:00Z) nor a date (2026-03-01)")
            }
        }
        if let format, OutputFormat(rawValue: format) == nil {
            throw ValidationError("--format '\(format)' is not one of text, json, html, xml")
        }
        if let directory = policiesDirectory {
            do { _ = try PolicyPack.load(overlay: directory) } catch { throw CLIError("\(error)") }
        }
    }

    /// The policy folder: `--policies`, else `$CUSTODY_POLICIES`.
    var policiesDirectory: String? {
        policies ?? context.environment["CUSTODY_POLICIES"]
    }

    /// The option names that take a value, for moving them after the command name.
    static let valueOptions: Set<String> = ["--store", "--policies", "--as-of", "--known-at", "--format"]

    var context: CommandContext { CommandContext.current }

    var paths: StorePaths {
        let environment = context.environment
        return StorePaths(
            store: store ?? environment["CUSTODY_STORE"] ?? "custody.db",
            vaultKey: environment["CUSTODY_VAULT_KEY_FILE"],
            signingKey: environment["CUSTODY_SIGNING_KEY_FILE"])
    }

    /// The point of view of queries: `--as-of` and `--known-at` (validated at parse time).
    var horizon: Horizon {
        Horizon(asOf: asOf.flatMap(RFC3339.parseInstant), knownAt: knownAt.flatMap(RFC3339.parseInstant))
    }

    /// The built-in policy pack with the `--policies` folder laid over it.
    func pack() throws -> PolicyPack {
        do { return try PolicyPack.load(overlay: policiesDirectory) } catch { throw CLIError("\(error)") }
    }

    /// The lineage view of the store, at the horizon, with the pack (read from `--policies` when not given).
    func lineage(pack: PolicyPack? = nil) throws -> Lineage {
        try Lineage(store: try EventStore.open(at: paths.store), pack: try pack ?? self.pack(), horizon: horizon)
    }

    /// Where the store's erasure requests stand; reads the vault key only when there are requests.
    func erasureStatuses(_ lineage: Lineage, now: Date) throws -> [ErasureStatus] {
        guard !(try lineage.events(ofJob: ErasureRecords.job)).isEmpty else { return [] }
        return try ErasureLifecycle(store: lineage.store, pack: lineage.pack, vaultKey: try paths.readVaultKey()).statuses(now: now)
    }

    /// The output format, checked against what the command can write.
    func outputFormat(allowed: [OutputFormat], default fallback: OutputFormat) throws -> OutputFormat {
        guard let format else { return fallback }
        guard let chosen = OutputFormat(rawValue: format), allowed.contains(chosen) else {
            throw CLIError("this command writes \(allowed.map(\.rawValue).joined(separator: " or ")), not '\(format)' (--format)")
        }
        return chosen
    }
}

enum OutputFormat: String {
    case text, json, html, xml
}
