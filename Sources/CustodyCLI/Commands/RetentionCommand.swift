import ArgumentParser
import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyPolicy
import Foundation

struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "What is past or near its retention deadline, as an erasure plan.",
        discussion: """
            Lists every dataset holding personal data whose deadline under the pack's retention periods has passed (overdue) or falls within the warning window (due soon), as of --as-of or now, with the period and purpose that set it, when its clock started (the data's first write, for a copy in the dataset it was copied from; or, for a period counted from presence, the arrival of the earliest person still there), and the people an event named there. Datasets kept under an Art. 17(3) hold are listed apart, with the hold and its reason. Downstream copies, backups and copies at recipients are datasets of their own and are listed when they are due. The periods come from policy files (docs/policies.md); the built-in pack states none.

            With --apply, the items past their deadline (not those due soon, not those held) are recorded in the log as one event of Custody's own job custody/retention, so the log shows when the plan was known; an item already recorded (same dataset, period and deadline) is not recorded again, so applying twice records nothing new. --apply judges as of now, and takes no --as-of or --known-at.

            Example:  custody retention --policies ./policies
                      custody retention --as-of 2027-01-01 --format json
                      custody retention --apply
            """)

    @OptionGroup var globals: GlobalOptions

    @Flag(name: .long, help: "Record the items past their deadline in the log (idempotent).")
    var apply = false

    func validate() throws {
        if apply && (globals.asOf != nil || globals.knownAt != nil) {
            throw ValidationError("--apply records the plan as of now; leave out --as-of and --known-at")
        }
    }

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let pack = try globals.pack()
        let lineage = try globals.lineage(pack: pack)
        let plan = try PolicyEngine(pack: pack).retentionPlan(lineage, now: globals.context.now)
        if apply { return try record(plan, lineage: lineage, format: format) }
        let recorded = try RetentionRecord.recordedItems(lineage)
        let erasures = try globals.erasureStatuses(lineage, now: globals.context.now)
        switch format {
        case .json: globals.context.print(json(plan, recorded: recorded, erasures: erasures))
        default:
            globals.context.standardOutput(text(plan, periods: pack.retention.periods.count) + text(recorded) + (erasures.isEmpty ? "" : "\n" + ErasureText.list(erasures)))
        }
    }

    /// The items earlier plans recorded, and what closed them.
    private func text(_ recorded: [RetentionRecord.RecordedItem]) -> String {
        guard !recorded.isEmpty else { return "" }
        var out = "\nRecorded by earlier plans (custody retention --apply):\n"
        for item in recorded {
            out += "  [\(item.closedBy == nil ? "open" : "closed")] \(item.key.dataset): deadline \(item.key.deadline.prefix(10)) (event \(item.plan))"
                + (item.closedBy.map { "; \($0.how) on \(LineageText.stamp($0.at))" } ?? "") + "\n"
        }
        return out
    }

    /// Appends the plan's new overdue items as one event (nothing when every one is already recorded).
    private func record(_ plan: RetentionPlan, lineage: Lineage, format: OutputFormat) throws {
        let context = globals.context
        let record = RetentionRecord(plan: plan, recorded: try lineage.events(ofJob: RetentionRecord.job))
        var seq: Int?
        if !record.new.isEmpty {
            let line = try record.event(runID: UUID(), at: context.now, plan: plan)
            var random = SystemRandomNumberGenerator()
            let summary = try Ingestor.ingest([IngestSource.bytes(Array(line.utf8), name: "retention plan")], into: lineage.store,
                vaultKey: try globals.paths.readVaultKey(), recordedAt: context.now, batchID: UUID(), random: &random,
                projectors: [LineageProjector()])
            seq = summary.receipt.firstSeq
        }
        switch format {
        case .json:
            context.print(JSONOutput.object([
                ("at", .string(RFC3339.format(plan.at))), ("packDigest", .string(plan.packDigest)),
                ("event", seq.map { .number($0) } ?? .null), ("recorded", .array(record.new.map(item))),
                ("alreadyRecorded", .number(record.due.count - record.new.count)),
                ("earlierEvents", .array(record.earlier.map { .number($0) })),
            ]))
        default:
            let day = String(RFC3339.format(plan.at).prefix(10))
            guard let seq else {
                context.print(record.due.isEmpty ? "Nothing is past its retention deadline as of \(day); nothing recorded."
                    : "Nothing new to record: the \(record.due.count) items past their deadline were recorded before "
                        + "(plan events: \(record.earlier.map(String.init).joined(separator: ", "))).")
                return
            }
            var out = "Recorded \(record.new.count) items past their deadline as of \(day) as event \(seq) (job custody/retention)"
                + (record.due.count > record.new.count ? "; \(record.due.count - record.new.count) were already recorded" : "") + ":\n"
            for item in record.new {
                out += "  \(item.dataset.id): deadline \(RFC3339.format(item.deadline).prefix(10)), \(item.period.id)"
                    + (item.purpose.map { " for \($0)" } ?? "") + "\n"
            }
            context.standardOutput(out)
        }
    }

    private func json(_ plan: RetentionPlan, recorded: [RetentionRecord.RecordedItem], erasures: [ErasureStatus]) -> String {
        JSONOutput.object([
            ("at", .string(RFC3339.format(plan.at))), ("packDigest", .string(plan.packDigest)),
            ("items", .array(plan.items.map(item))),
            ("recorded", .array(recorded.map { item in
                .object([("dataset", .string(item.key.dataset)), ("deadline", .string(item.key.deadline)), ("period", .string(item.key.period)),
                         ("plan", .number(item.plan)), ("state", .string(item.closedBy == nil ? "open" : "closed")),
                         ("closedBy", item.closedBy.map(LineageJSON.removal) ?? .null)])
            })),
            ("erasureRequests", .array(erasures.map { status in
                .object([("id", .string(status.request.id)), ("status", .string(status.reportStatus)),
                         ("dueBy", .string(RFC3339.format(status.request.dueBy))), ("openItems", .number(status.openItems.count))])
            })),
        ])
    }

    private func item(_ item: RetentionPlan.Item) -> JSONOutput.Value {
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
