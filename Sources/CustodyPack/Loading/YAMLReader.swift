import Yams

/// Typed access to a parsed YAML document that reports every problem with the file, line and column of
/// the offending node. Policy files are written by people: they deserve errors an editor can jump to.
struct YAMLReader {
    let file: String

    /// Parses `text`; an empty document is an empty mapping.
    func document(_ text: String) throws(PackError) -> Node {
        do {
            return try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
        } catch let error as YamlError {
            throw locate(error)
        } catch {
            throw PackError(file: file, line: 1, column: 1, message: "not valid YAML: \(error)")
        }
    }

    func fail(_ node: Node, _ message: String) -> PackError {
        PackError(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1, message: message)
    }

    /// A mapping's entries in order, with their keys as strings.
    func mapping(_ node: Node, what: String) throws(PackError) -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping) = node else { throw fail(node, "\(what) must be a mapping (key: value lines)") }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        var seen = Set<String>()
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { throw fail(key, "a key in \(what) must be plain text") }
            guard seen.insert(scalar.string).inserted else { throw fail(key, "'\(scalar.string)' appears twice in \(what)") }
            entries.append((scalar.string, key, value))
        }
        return entries
    }

    func sequence(_ node: Node, what: String) throws(PackError) -> [Node] {
        guard case .sequence(let sequence) = node else { throw fail(node, "\(what) must be a list") }
        return Array(sequence)
    }

    /// A list of text entries.
    func strings(_ node: Node, what: String) throws(PackError) -> [String] {
        try sequence(node, what: what).map { item throws(PackError) in try string(item, what: "an entry of \(what)") }
    }

    func string(_ node: Node, what: String) throws(PackError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else { throw fail(node, "\(what) must be text") }
        return scalar.string
    }

    func bool(_ node: Node, what: String) throws(PackError) -> Bool {
        guard case .scalar(let scalar) = node else { throw fail(node, "\(what) must be true or false") }
        switch scalar.string {
        case "true": return true
        case "false": return false
        default: throw fail(node, "\(what) must be true or false, not '\(scalar.string)'")
        }
    }

    func int(_ node: Node, what: String) throws(PackError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else { throw fail(node, "\(what) must be a whole number") }
        return value
    }

    private func locate(_ error: YamlError) -> PackError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // libyaml reports where it noticed the problem; say where the broken construct began too.
            let began = context.map { " (\($0.text), which began at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return PackError(file: file, line: mark.line, column: mark.column, message: "not valid YAML: \(problem)\(began)")
        default:
            return PackError(file: file, line: 1, column: 1, message: "not valid YAML: \(error)")
        }
    }
}
