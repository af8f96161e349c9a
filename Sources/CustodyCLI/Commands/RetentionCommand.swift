import ArgumentParser
import CustodyLineage
import CustodyModel
import CustodyPack
import CustodyPolicy

struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "What is past or near its retention deadline, as an erasure plan.",
        discussion: """
            Lists every dataset holding personal data whose deadline under the pack's retention periods has passed (overdue) or falls within the warning window (due soon), as of --as-of or now, with the period and purpose that set it, when its clock started (the data's first write, for a copy in the dataset it was copied from; or, for a period counted from presence, the arrival of the earliest person still there), and the people an event named there. Datasets kept under an Art. 17(3) hold are listed apart, with the hold and its reason. Downstream copies, backups and copies at recipients are datasets of their own and are listed when they are due. The periods come from policy files (docs/policies.md); the built-in pack states none.

            Example:  custody retention --policies ./policies
                      custody retention --as-of 2027-01-01 --format json
            """)

    @OptionGroup var globals: GlobalOptions

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let pack = try globals.pack()
        let plan = try PolicyEngine(pack: pack).retentionPlan(try globals.lineage(pack: pack), now: globals.context.now)
        switch format {
        case .json: globals.context.print(json(plan))
        default: globals.context.standardOutput(text(plan, periods: pack.retention.periods.count))
        }
    }

    private func json(_ plan: RetentionPlan) -> String {
        JSONOutput.object([
            ("at", .string(RFC3339.format(plan.at))), ("packDigest", .string(plan.packDigest)),
            ("items", .array(plan.items.map { item in
                .object([
                    ("dataset", LineageJSON.node(item.dataset)), ("status", .string(item.status.rawValue)),
                    ("deadline", .string(RFC3339.format(item.deadline))), ("daysOverdue", .number(item.daysOverdue)),
                    ("clockStart", LineageJSON.stamp(item.clockStart)), ("firstWrittenIn", item.firstWrittenIn.map(LineageJSON.node) ?? .null),
                    ("peoplePastDeadline", item.peoplePastDeadline.map { .number($0) } ?? .null),
                    ("period", .object([("id", .string(item.period.id)), ("duration", .string(item.period.period.text)),
                                        ("clock", .string(item.period.clock.rawValue))])),
                    ("purpose", LineageJSON.optional(item.purpose)), ("location", LineageJSON.location(item.location)),
                    ("confirmedSubjects", .number(item.confirmedSubjects)),
                    ("hold", item.hold.map { hold in
                        .object([("id", .string(hold.id)), ("ground", .string(hold.ground)), ("article", .string(RetentionHold.grounds[hold.ground] ?? "")),
                                 ("reason", .string(hold.reason))])
                    } ?? .null),
                    ("evidence", .array(item.evidence.map { .number($0) })),
                ])
            })),
        ])
    }

    private func clock(_ item: RetentionPlan.Item) -> String {
        guard let origin = item.firstWrittenIn else {
            return "the arrival of the earliest person still there, \(LineageText.stamp(item.clockStart)); "
                + "\(item.peoplePastDeadline ?? 0) of \(item.confirmedSubjects) people past their deadline"
        }
        return LineageText.stamp(item.clockStart) + (origin == item.dataset ? "" : " in \(origin.id)")
    }

    private func text(_ plan: RetentionPlan, periods: Int) -> String {
        let day = String(RFC3339.format(plan.at).prefix(10))
        guard periods > 0 else {
            return "No retention periods in the policy pack, so nothing has a deadline. Add them in a --policies file (docs/policies.md, \"retention\").\n"
        }
        guard !plan.items.isEmpty else { return "Nothing is past or near its retention deadline as of \(day).\n" }
        var out = ""
        for (status, title) in [(RetentionPlan.Item.Status.overdue, "Past the deadline, to erase or anonymise"),
                                (.dueSoon, "Due soon"), (.held, "Kept under an Art. 17(3) hold")] {
            let items = plan.items.filter { $0.status == status }
            guard !items.isEmpty else { continue }
            out += "\(title) (as of \(day)):\n"
            for item in items {
                let when = item.daysOverdue >= 0 ? "\(item.daysOverdue) days overdue" : "in \(-item.daysOverdue) days"
                out += "  \(item.dataset.id)\n    deadline \(RFC3339.format(item.deadline).prefix(10)) (\(when)); \(item.period.id): \(item.period.period)"
                    + (item.purpose.map { " for \($0)" } ?? "") + " from " + clock(item) + "\n"
                out += "    location: \(LineageText.location(item.location)); people named there: \(item.confirmedSubjects)\n"
                if let hold = item.hold {
                    out += "    hold \(hold.id) (Art. \(RetentionHold.grounds[hold.ground] ?? hold.ground)): \(hold.reason)\n"
                }
            }
            out += "\n"
        }
        return out
    }
}
