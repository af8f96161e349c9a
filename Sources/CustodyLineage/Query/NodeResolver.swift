import CustodyLog
import GRDB

/// Finds the dataset or job a user named. Namespaces contain colons (`postgres://host:5432`), so an id
/// is tried at every split; a bare name matches a dataset of that name in any namespace.
struct NodeResolver {
    let db: Database

    func resolve(_ text: String) throws -> (kind: NodeName.Kind, id: Int64, name: NodeName) {
        var kinds: [NodeName.Kind] = [.dataset]
        var rest = Substring(text)
        var explicit = false
        for kind in [NodeName.Kind.dataset, .job] where text.hasPrefix(kind.rawValue + ":") {
            kinds = [kind]
            rest = text.dropFirst(kind.rawValue.count + 1)
            explicit = true
        }
        var matches: [(NodeName.Kind, Int64, NodeName)] = []
        for kind in kinds {
            let table = kind == .dataset ? "lineage_dataset" : "lineage_job"
            if explicit {
                var index = rest.startIndex
                while let colon = rest[index...].firstIndex(of: ":") {
                    let namespace = String(rest[..<colon]), name = String(rest[rest.index(after: colon)...])
                    let statement = try RawStatement(cached: db, sql: "SELECT id FROM \(table) WHERE namespace = ? AND name = ?")
                    try statement.forEachRow(.text(namespace), .text(name)) {
                        matches.append((kind, Int64(statement.int(0)), NodeName(kind, namespace: namespace, name: name)))
                    }
                    index = rest.index(after: colon)
                }
            } else {
                let statement = try RawStatement(cached: db, sql: "SELECT id, namespace FROM \(table) WHERE name = ?")
                try statement.forEachRow(.text(String(rest))) {
                    matches.append((kind, Int64(statement.int(0)), NodeName(kind, namespace: statement.text(1) ?? "", name: String(rest))))
                }
            }
        }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw LineageError(.ambiguousNode, "'\(text)' names more than one node; use one of these ids:", candidates: matches.map(\.2.id).sorted())
        }
        throw LineageError(.unknownNode, "no dataset or job is called '\(text)'" + (try suggestions(for: rest)), candidates: try candidates(for: rest))
    }

    private func suggestions(for text: Substring) throws -> String {
        try candidates(for: text).isEmpty ? "; 'custody datasets' lists the datasets" : "; did you mean one of these?"
    }

    /// Nodes whose name contains the last part of what was typed.
    private func candidates(for text: Substring) throws -> [String] {
        let tail = String(text.split(separator: ":").last ?? text)
        guard !tail.isEmpty else { return [] }
        var found: [String] = []
        for (kind, table) in [(NodeName.Kind.dataset, "lineage_dataset"), (.job, "lineage_job")] {
            for row in try Row.fetchAll(db, sql: "SELECT namespace, name FROM \(table) WHERE instr(name, ?) > 0 ORDER BY namespace, name LIMIT 10", arguments: [tail]) {
                found.append(NodeName(kind, namespace: row[0], name: row[1]).id)
            }
        }
        return found
    }
}
