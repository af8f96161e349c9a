import ArgumentParser
import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPolicy

struct SubjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subject",
        abstract: "One person's provenance trail: every dataset that holds or held their data, and how it got there.",
        discussion: """
            Give every identifier verified for the person (an e-mail address, a customer number, `phone:+49…`); they are answered together. The trail lists each dataset that holds or held the person's data, confirmed (an event named them there) or derived (a completed run carried them there), with the runs, purposes and legal bases that brought it, its location, the recipients it was disclosed to and when, where it was collected from, consultations of the person's records, and erasures. "No data held" is an answer, exit 0. Needs the store's vault key.

            Example:  custody subject alice@example.com cust-1001
                      custody subject alice@example.com --as-of 2026-03-01 --format json
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The person's identifiers.", valueName: "id"))
    var identifiers: [String]

    func validate() throws {
        guard !identifiers.isEmpty else { throw ValidationError("name the person: custody subject ID…") }
        try OptionChecks.identifiers(identifiers)
    }

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let lineage = try globals.lineage()
        let people = identifiers.compactMap(SubjectIdentifier.init), vaultKey = try globals.paths.readVaultKey()
        let trail = try lineage.subject(people, vaultKey: vaultKey)
        let context = globals.context
        // A person who asked to be erased is answered with their request too; one the vault forgot, only
        // through their tombstone.
        var erasure: ErasureStatus?
        if let request = try lineage.store.erasureRequest(tombstoning: people, vaultKey: vaultKey) {
            erasure = try ErasureLifecycle(store: lineage.store, pack: lineage.pack, vaultKey: vaultKey).status(of: request, now: context.now)
        }
        switch format {
        case .json: context.print(json(trail, erasure: erasure))
        default: context.standardOutput((erasure.map { Self.erased($0, known: trail.knownIdentifiers) } ?? "") + text(trail, asOf: lineage.horizon))
        }
    }

    private static func erased(_ status: ErasureStatus, known: Int) -> String {
        let request = status.request, open = status.openItems.count
        let received = RFC3339.format(request.receivedAt).prefix(10)
        let stillOpen = open > 0 ? "; \(open) item\(open == 1 ? "" : "s") still open (custody erase --status \(request.id))" : ""
        guard let forgotten = request.forgotten else {
            return "Erasure request \(request.id), received \(received), is in progress\(stillOpen).\n"
        }
        let day = RFC3339.format(forgotten.at).prefix(10)
        if known > 0 {
            return "Erased by request \(request.id) on \(received) and forgotten on \(day); what follows was recorded since, under a new token.\n"
        }
        return "Erased by request \(request.id) on \(received); Custody forgot the person on \(day)\(stillOpen).\n"
    }

    private func json(_ trail: SubjectTrail, erasure: ErasureStatus?) -> String {
        JSONOutput.object([
            ("erasedBy", erasure.map { status in
                .object([("request", .string(status.request.id)), ("received", .string(RFC3339.format(status.request.receivedAt))),
                         ("forgotten", status.request.forgotten.map { .string(RFC3339.format($0.at)) } ?? .null),
                         ("openItems", .number(status.openItems.count))])
            } ?? .null),
            ("identifiers", .number(identifiers.count)), ("knownIdentifiers", .number(trail.knownIdentifiers)),
            ("holdsData", .bool(!trail.holdsNoData)),
            ("datasets", .array(trail.datasets.map { holding in
                .object([
                    ("dataset", LineageJSON.node(holding.dataset)), ("present", .bool(holding.isPresent)),
                    ("confirmed", .bool(holding.isConfirmed)), ("location", LineageJSON.location(holding.location)),
                    ("periods", .array(holding.periods.map { period in
                        .object([
                            ("since", LineageJSON.stamp(period.since)), ("confirmed", .bool(period.confirmed)),
                            ("from", period.from.map(LineageJSON.node) ?? .null), ("run", LineageJSON.run(period.run)),
                            ("until", period.until.map(LineageJSON.removal) ?? .null),
                        ])
                    })),
                ])
            })),
            ("collections", .array(trail.collections.map { collection in
                .object([("dataset", LineageJSON.node(collection.dataset)), ("at", LineageJSON.stamp(collection.at)),
                         ("run", LineageJSON.run(collection.run))])
            })),
            ("disclosures", .array(trail.disclosures.map { disclosure in
                .object([("recipient", LineageJSON.recipient(disclosure.recipient)), ("at", LineageJSON.stamp(disclosure.at)),
                         ("datasets", .array(disclosure.datasets.map(LineageJSON.node))), ("run", LineageJSON.run(disclosure.run))])
            })),
            ("consultations", .array(trail.consultations.map { consultation in
                .object([("at", LineageJSON.stamp(consultation.at)), ("datasets", .array(consultation.datasets.map(LineageJSON.node))),
                         ("run", LineageJSON.run(consultation.run))])
            })),
            ("removals", .array(trail.removals.map(LineageJSON.removal))),
        ])
    }

    private func text(_ trail: SubjectTrail, asOf horizon: Horizon) -> String {
        let given = counted(identifiers.count, "identifier")
        let when = horizon.asOf.map { " as of \(RFC3339.format($0))" } ?? ""
        if trail.holdsNoData {
            return trail.knownIdentifiers == 0
                ? "No data held: Custody has no record of the \(given) given\(when).\n"
                : "No data held\(when): the \(given) given are known, but no dataset held the person's data by then.\n"
        }
        var out = "Data subject (\(given), \(trail.knownIdentifiers) known)\(when)\n\n"
        let present = trail.datasets.filter(\.isPresent).count
        out += "Held in \(counted(trail.datasets.count, "dataset")), \(present) now:\n"
        for holding in trail.datasets {
            out += "  \(holding.dataset.id)\n    location: \(LineageText.location(holding.location))\n"
            for period in holding.periods {
                let how = period.confirmed ? "confirmed" : "derived" + (period.from.map { " from \($0.id)" } ?? "")
                out += "    since \(LineageText.stamp(period.since)), \(how)\n"
                if let run = period.run {
                    out += "      by \(run.job.id) run \(run.runID): \(LineageText.purpose(run))\n"
                }
                if let until = period.until {
                    out += "    until \(LineageText.stamp(until.at)): \(until.how)" + (until.run.map { " by \($0.job.id)" } ?? "") + "\n"
                }
            }
        }
        if !trail.collections.isEmpty {
            out += "\nCollected:\n"
            for collection in trail.collections {
                let source = collection.run.processing.source.map { " from \($0.type)" + ($0.name.map { " \"\($0)\"" } ?? "") } ?? ", source not stated"
                out += "  \(LineageText.stamp(collection.at)) into \(collection.dataset.id) by \(collection.run.job.id)\(source)\n"
            }
        }
        if !trail.disclosures.isEmpty {
            out += "\nRecipients:\n"
            for disclosure in trail.disclosures {
                let recipient = disclosure.recipient
                let place = recipient.country ?? recipient.internationalOrganisation ?? "country not stated"
                out += "  \(recipient.name) (\(recipient.role), \(place)) on \(LineageText.stamp(disclosure.at)) by \(disclosure.run.job.id): "
                    + disclosure.datasets.map(\.id).joined(separator: ", ") + "\n"
            }
        }
        if !trail.consultations.isEmpty {
            out += "\nConsultations:\n"
            for consultation in trail.consultations {
                out += "  \(LineageText.stamp(consultation.at)) by \(consultation.run.job.id) (\(LineageText.purpose(consultation.run))): "
                    + consultation.datasets.map(\.id).joined(separator: ", ") + "\n"
            }
        }
        if !trail.removals.isEmpty {
            out += "\nRemoved:\n"
            for removal in trail.removals {
                out += "  \(LineageText.stamp(removal.at)) \(removal.how) from \(removal.dataset.id)" + (removal.run.map { " by \($0.job.id)" } ?? "") + "\n"
            }
        }
        return out
    }
}
