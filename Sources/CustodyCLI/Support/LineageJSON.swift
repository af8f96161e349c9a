import CustodyLineage
import CustodyModel
import Foundation

/// The JSON shapes of lineage answers, shared by the query commands (documented in docs/cli.md).
enum LineageJSON {
    static func stamp(_ stamp: EventStamp?) -> JSONOutput.Value {
        guard let stamp else { return .null }
        return .object([("time", .string(RFC3339.format(stamp.time))), ("seq", .number(stamp.seq))])
    }

    static func optional(_ text: String?) -> JSONOutput.Value {
        text.map { .string($0) } ?? .null
    }

    static func strings(_ values: [String]) -> JSONOutput.Value {
        .array(values.map { .string($0) })
    }

    static func node(_ name: NodeName) -> JSONOutput.Value {
        .string(name.id)
    }

    static func location(_ location: DatasetLocation) -> JSONOutput.Value {
        .object([
            ("location", optional(location.text)), ("origin", .string(location.origin.rawValue)),
            ("country", optional(location.country?.code)), ("inEEA", location.inEEA.map { .bool($0) } ?? .null),
            ("declaredBy", stamp(location.declaredBy)),
        ])
    }

    static func run(_ run: RunSummary?) -> JSONOutput.Value {
        guard let run else { return .null }
        let processing = run.processing
        return .object([
            ("runId", .string(run.runID)), ("job", node(run.job)), ("state", .string(run.state)),
            ("completed", stamp(run.completed)), ("operation", .string(processing.operation)),
            ("purposes", strings(processing.purposes)), ("legalBasis", optional(processing.legalBasis)),
            ("specialCategoryCondition", optional(processing.specialCategoryCondition)),
            ("controller", optional(processing.controller?.name)),
            ("recipient", processing.recipient.map(recipient) ?? .null),
            ("transferMechanism", optional(processing.transferMechanism?.type)),
            ("source", processing.source.map { .object([("type", .string($0.type)), ("name", optional($0.name))]) } ?? .null),
            ("automatedDecision", processing.automatedDecision.map {
                .object([("logic", optional($0.logic)), ("significance", optional($0.significance))])
            } ?? .null),
            ("events", .array(run.events.map { .number($0) })),
        ])
    }

    static func recipient(_ recipient: Processing.Recipient) -> JSONOutput.Value {
        .object([
            ("name", .string(recipient.name)), ("role", .string(recipient.role)), ("country", optional(recipient.country)),
            ("internationalOrganisation", optional(recipient.internationalOrganisation)),
        ])
    }

    static func removal(_ removal: SubjectTrail.Removal) -> JSONOutput.Value {
        .object([("dataset", node(removal.dataset)), ("at", stamp(removal.at)), ("how", .string(removal.how)), ("run", optionalRunID(removal.run))])
    }

    static func optionalRunID(_ run: RunSummary?) -> JSONOutput.Value {
        run.map { .string($0.runID) } ?? .null
    }

    static func categories(_ categories: [HeldCategory]) -> JSONOutput.Value {
        .array(categories.map { category in
            .object([
                ("key", .string(category.key)), ("columns", strings(category.columns)), ("declared", .bool(category.declared)),
                ("from", .array(category.from.map(node))),
            ])
        })
    }
}

/// Text helpers for the query commands.
enum LineageText {
    /// `2026-03-01 10:05:00Z (event 12)`.
    static func stamp(_ stamp: EventStamp?) -> String {
        guard let stamp else { return "-" }
        return "\(time(stamp)) (event \(stamp.seq))"
    }

    static func time(_ stamp: EventStamp) -> String {
        var text = RFC3339.format(stamp.time).replacingOccurrences(of: "T", with: " ")
        if text.hasSuffix(".000Z") { text = String(text.dropLast(5)) + "Z" }
        return text
    }

    static func location(_ location: DatasetLocation) -> String {
        switch location.origin {
        case .unknown: return "unknown"
        default:
            let country = location.country.map { " → \($0.code)" + (location.inEEA == true ? " (EEA)" : location.inEEA == false ? " (outside the EEA)" : "") }
                ?? " (a region the pack does not know)"
            let how = location.origin == .namespace ? ", from its namespace" : ""
            return (location.text ?? "?") + country + how
        }
    }

    /// `transform for analytics.reporting on legitimate_interests`.
    static func purpose(_ run: RunSummary) -> String {
        let processing = run.processing
        var text = processing.operation
        if !processing.purposes.isEmpty { text += " for " + processing.purposes.joined(separator: ", ") }
        text += " on " + (processing.legalBasis ?? "no stated legal basis")
        return text
    }
}
