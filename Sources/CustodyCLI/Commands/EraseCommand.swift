import ArgumentParser
import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPolicy
import CustodyReports
import Foundation

struct EraseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Record an erasure request (GDPR Art. 17), follow it to completion, and forget the person.",
        discussion: """
            `custody erase ID…` records the request as an event of Custody's own job custody/erasure that names the person only through a salted commitment, and prints its id and its plan: every dataset holding the person's data now (confirmed or derived, copies at recipients included), the datasets an Art. 17(3) hold of the policy pack keeps and why, and the recipients to tell under Art. 19 with what they received and when. Later events that remove the person from a dataset (erasedSubjects, DROP, TRUNCATE, OVERWRITE) close its items. When every item is closed, or at once with --shred, Custody forgets the person: the vault entry and the salt are deleted, a tombstone that leads to the request only is kept, and the store's WAL is truncated. The log stays verifiable. Asking again for a person whose request is open shows that request; after an interruption, asking again finishes what was left. See docs/erasure.md.

            --status REQUEST shows the request's items, open, closed and overdue (one calendar month, Art. 12(3)); --status alone lists every request. --notified REQUEST RECIPIENT records that a recipient was told, or with --impossible why that proved impossible or disproportionate.

            Formats: text (the default), json, and html or xml (the erasure report, validated against reports/xsd/erasure.xsd), with --output FILE.

            Example:  custody erase alice@example.com --ground consent_withdrawn --reason "ticket 4711"
                      custody erase --status R-7K2M9X4PQA
                      custody erase --notified R-7K2M9X4PQA "AdCo Inc"
                      custody erase --notified R-7K2M9X4PQA "Mumbai High Court" --impossible "court record, cannot be altered"
            """)

    @OptionGroup var globals: GlobalOptions
    @OptionGroup var destination: ReportOutputOptions

    @Argument(help: ArgumentHelp("The person's identifiers; with --status or --notified, the request (and the recipient).", valueName: "id"))
    var arguments: [String] = []

    @Option(help: ArgumentHelp("Why the person asked, in your words (kept in the log: write no personal data).", valueName: "text"))
    var reason: String?

    @Option(help: ArgumentHelp("The Art. 17(1) ground: \(ErasureRequest.grounds.keys.sorted().joined(separator: ", ")).", valueName: "ground"))
    var ground: String?

    @Flag(help: "Forget the person now, instead of when every item is closed.")
    var shred = false

    @Flag(help: "Show where a request stands (or list every request).")
    var status = false

    @Flag(help: "Record that a recipient was told of a request (Art. 19).")
    var notified = false

    @Option(help: ArgumentHelp("With --notified: why telling the recipient proved impossible or disproportionate.", valueName: "reason"))
    var impossible: String?

    func validate() throws {
        if status && notified { throw ValidationError("give either --status or --notified, not both") }
        if status || notified {
            let what = status ? "--status" : "--notified"
            if reason != nil || ground != nil || shred { throw ValidationError("\(what) takes no --reason, --ground or --shred") }
        }
        if impossible != nil && !notified { throw ValidationError("--impossible goes with --notified REQUEST RECIPIENT") }
        if status {
            guard arguments.count <= 1 else { throw ValidationError("--status takes one request id: custody erase --status REQUEST") }
        } else if notified {
            guard arguments.count == 2 else { throw ValidationError("--notified takes a request id and a recipient: custody erase --notified REQUEST RECIPIENT") }
        } else {
            guard !arguments.isEmpty else { throw ValidationError("name the person: custody erase ID…") }
            try OptionChecks.identifiers(arguments)
            if let ground, ErasureRequest.grounds[ground] == nil {
                throw ValidationError("--ground '\(ground)' is not an Art. 17(1) ground; expected one of \(ErasureRequest.grounds.keys.sorted().joined(separator: ", "))")
            }
        }
        if globals.asOf != nil || globals.knownAt != nil {
            throw ValidationError("erase works on the store as it is now; leave out --as-of and --known-at")
        }
    }

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json, .html, .xml], default: .text)
        let context = globals.context
        let store = try EventStore.open(at: globals.paths.store)
        let erasures = ErasureLifecycle(store: store, pack: try globals.pack(), vaultKey: try globals.paths.readVaultKey())
        var random = SystemRandomNumberGenerator()
        // Requests the events have completed since the last ingest (or an interrupted one) are forgotten first.
        _ = try erasures.forgetCompleted(now: context.now, random: &random)
        if status && arguments.isEmpty {
            guard format == .text || format == .json else { throw CLIError("the list of requests is written as text or json (--format)") }
            let statuses = try erasures.statuses(now: context.now)
            return format == .json ? context.print(ErasureText.json(statuses)) : context.standardOutput(ErasureText.list(statuses))
        }
        let result: ErasureStatus?
        var heading = ""
        if status {
            result = try erasures.status(of: arguments[0], now: context.now)
        } else if notified {
            result = try erasures.notified(arguments[0], recipient: arguments[1], impossible: impossible, now: context.now, random: &random)
            heading = impossible == nil ? "Recorded that \(arguments[1]) was told.\n\n" : "Recorded why telling \(arguments[1]) proved impossible.\n\n"
        } else {
            let identifiers = arguments.compactMap(SubjectIdentifier.init)
            let answer = try erasures.request(identifiers, ground: ground, reason: reason, shred: shred, now: context.now, random: &random)
            result = answer.status
            switch answer.outcome {
            case .recorded: heading = "Recorded erasure request \(answer.status!.request.id) as event \(answer.status!.request.seq).\n\n"
            case .alreadyOpen: heading = "This person's erasure request \(answer.status!.request.id) is already open; nothing new was recorded"
                + (shred ? ", and the person is now forgotten" : "") + ".\n\n"
            case .alreadyForgotten: heading = "This person was erased by request \(answer.status!.request.id); Custody no longer knows them.\n\n"
            case .noDataHeld: heading = "No data held: no identifier given is known to the store, so there is nothing to erase and nothing was recorded.\n"
            }
        }
        guard let result else {
            return format == .json ? context.print(JSONOutput.object([("outcome", .string("noDataHeld"))])) : context.standardOutput(heading)
        }
        switch format {
        case .text: context.standardOutput(heading + ErasureText.status(result))
        default:
            let lineage = try Lineage(store: store, pack: erasures.pack).pinned()
            try destination.write(try ErasureReport(status: result, lineage: lineage, engineVersion: CustodyVersion.current, now: context.now),
                format: ReportFormat(rawValue: format.rawValue)!, context: context)
        }
    }
}
