import ArgumentParser
import CustodyLog
import CustodyModel

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List recorded events: sequence, recorded time, event time, type, job, run.",
        discussion: "Example:  custody log --from 100 --limit 20")

    @OptionGroup var globals: GlobalOptions

    @Option(help: ArgumentHelp("The first sequence number to list.", valueName: "seq"))
    var from: Int = 0

    @Option(help: ArgumentHelp("The largest number of events to list (default: all).", valueName: "n"))
    var limit: Int?

    func validate() throws {
        guard from >= 0 else { throw ValidationError("--from must be 0 or more") }
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
    }

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let store = try EventStore.open(at: globals.paths.store)
        let context = globals.context
        var next = from
        var remaining = limit ?? Int.max
        var first = true
        if format == .json { context.standardOutput("[") }
        if format == .text { context.print("SEQ\tRECORDED\tEVENT TIME\tTYPE\tJOB\tRUN") }
        while remaining > 0 {
            let page = try store.entries(from: next, limit: min(remaining, 1000))
            if page.isEmpty { break }
            for entry in page {
                let row = LogRow(entry)
                switch format {
                case .json:
                    context.standardOutput((first ? "\n" : ",\n") + row.json)
                default:
                    context.print(row.text)
                }
                first = false
            }
            next = page.last!.seq + 1
            remaining -= page.count
        }
        if format == .json { context.print(first ? "]" : "\n]") }
    }
}

/// One line of `custody log`, read from the recorded event.
struct LogRow {
    let seq: Int
    let recordedAt: String
    let eventTime: String
    let type: String
    let job: String
    let run: String
    let batch: String
    let notes: [String]

    init(_ entry: LogEntry) {
        let event = entry.event
        seq = entry.seq
        recordedAt = entry.recordedAt
        eventTime = event["eventTime"]?.stringValue ?? ""
        if event["dataset"] != nil {
            type = "DATASET"
        } else if event["run"] == nil {
            type = "JOB"
        } else {
            type = event["eventType"]?.stringValue ?? "OTHER"
        }
        if let namespace = event["job"]?["namespace"]?.stringValue, let name = event["job"]?["name"]?.stringValue {
            job = "\(namespace)/\(name)"
        } else if let namespace = event["dataset"]?["namespace"]?.stringValue, let name = event["dataset"]?["name"]?.stringValue {
            job = "dataset \(namespace)/\(name)"
        } else {
            job = ""
        }
        run = event["run"]?["runId"]?.stringValue ?? ""
        batch = entry.batchID
        notes = entry.notes
    }

    var text: String { [String(seq), recordedAt, eventTime, type, job, run.isEmpty ? "-" : run].joined(separator: "\t") }

    var json: String {
        JSONOutput.object([
            ("seq", .number(seq)), ("recordedAt", .string(recordedAt)), ("eventTime", .string(eventTime)),
            ("type", .string(type)), ("job", .string(job)), ("run", run.isEmpty ? .null : .string(run)),
            ("batch", .string(batch)), ("notes", .array(notes.map { .string($0) })),
        ])
    }
}
