import ArgumentParser
import CustodyLineage
import CustodyLog
import CustodyModel

struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "List datasets: categories, confirmed subjects, location, purposes.",
        discussion: "Example:  custody datasets --format json")

    @OptionGroup var globals: GlobalOptions

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let profiles = try globals.lineage().datasets()
        let context = globals.context
        switch format {
        case .json:
            context.print(JSONOutput.object([("datasets", .array(profiles.map(DatasetCommand.json)))]))
        default:
            var out = "DATASET\tLOCATION\tCATEGORIES\tSUBJECTS\tPURPOSES\n"
            for profile in profiles {
                let location = profile.location.country?.code ?? profile.location.text ?? "unknown"
                let categories = profile.declaredAnonymous ? "anonymous" : profile.categories.map(\.key).joined(separator: ",")
                out += "\(profile.dataset.id)\t\(location)\t\(categories.isEmpty ? "-" : categories)\t\(profile.confirmedSubjects)\t"
                    + (profile.purposes.isEmpty ? "-" : profile.purposes.joined(separator: ",")) + "\n"
            }
            context.standardOutput(out)
        }
    }
}

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "One dataset: categories and where they came from, subjects, location, purposes, retention, writers, readers.",
        discussion: """
            NODE is dataset:<namespace>:<name> or a dataset name that is unique.

            Example:  custody dataset crm.customers
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The dataset.", valueName: "node"))
    var node: String

    func run() throws {
        let format = try globals.outputFormat(allowed: [.text, .json], default: .text)
        let profile = try globals.lineage().dataset(node)
        let context = globals.context
        switch format {
        case .json:
            context.print(JSONOutput.object([("dataset", Self.json(profile))]))
        default:
            context.standardOutput(Self.text(profile))
        }
    }

    static func json(_ profile: DatasetProfile) -> JSONOutput.Value {
        .object([
            ("id", LineageJSON.node(profile.dataset)), ("location", LineageJSON.location(profile.location)),
            ("categories", LineageJSON.categories(profile.categories)), ("subjectTypes", LineageJSON.strings(profile.subjectTypes)),
            ("confirmedSubjects", .number(profile.confirmedSubjects)), ("retention", LineageJSON.optional(profile.retention)),
            ("declaredAnonymous", .bool(profile.declaredAnonymous)), ("pseudonymised", .bool(profile.pseudonymised)),
            ("purposes", LineageJSON.strings(profile.purposes)), ("collectedFor", LineageJSON.strings(profile.collectionPurposes)),
            ("firstWrite", profile.firstWrite.map { first in
                .object([("at", LineageJSON.stamp(first.at)), ("dataset", LineageJSON.node(first.dataset))])
            } ?? .null),
            ("writers", .array(profile.writers.map(LineageJSON.run))), ("readers", .array(profile.readers.map(LineageJSON.run))),
            ("clears", .array(profile.clears.map(LineageJSON.removal))), ("evidence", .array(profile.evidence.map { .number($0) })),
        ])
    }

    static func text(_ profile: DatasetProfile) -> String {
        var out = "\(profile.dataset.id)\n"
        out += "  location: \(LineageText.location(profile.location))\n"
        if profile.declaredAnonymous { out += "  declared anonymous (holds no personal data)\n" }
        if profile.pseudonymised { out += "  pseudonymised: written by a pseudonymize run; still personal data\n" }
        out += "  categories:" + (profile.categories.isEmpty ? " none\n" : "\n")
        for category in profile.categories {
            var origin: [String] = []
            if category.declared { origin.append("declared") }
            if !category.from.isEmpty { origin.append("from " + category.from.map(\.id).joined(separator: ", ")) }
            let columns = category.columns.isEmpty ? "" : " [" + category.columns.joined(separator: ", ") + "]"
            out += "    \(category.key)\(columns) (\(origin.joined(separator: "; ")))\n"
        }
        out += "  subject types: \(profile.subjectTypes.isEmpty ? "-" : profile.subjectTypes.joined(separator: ", "))\n"
        out += "  confirmed subjects: \(profile.confirmedSubjects)\n"
        out += "  purposes: \(profile.purposes.isEmpty ? "-" : profile.purposes.joined(separator: ", "))\n"
        out += "  collected for: \(profile.collectionPurposes.isEmpty ? "-" : profile.collectionPurposes.joined(separator: ", "))\n"
        if let first = profile.firstWrite {
            out += "  first written: \(LineageText.stamp(first.at))" + (first.dataset == profile.dataset ? "\n" : " in \(first.dataset.id)\n")
        }
        out += "  retention: \(profile.retention ?? "not declared")\n"
        out += "  written by:" + (profile.writers.isEmpty ? " -\n" : "\n")
        for run in profile.writers { out += "    \(LineageText.stamp(run.completed)) \(run.job.id): \(LineageText.purpose(run))\n" }
        out += "  read by:" + (profile.readers.isEmpty ? " -\n" : "\n")
        for run in profile.readers {
            out += "    \(LineageText.stamp(run.completed ?? run.started)) \(run.job.id) [\(run.state)]: \(LineageText.purpose(run))\n"
        }
        for clear in profile.clears { out += "  \(clear.how) at \(LineageText.stamp(clear.at))\n" }
        return out
    }
}
