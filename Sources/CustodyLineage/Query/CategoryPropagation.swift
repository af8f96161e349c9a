import CustodyPack
import GRDB

/// The categories a dataset holds: what events declared on it, plus what completed runs carried in
/// from their inputs, column by column where column lineage is given. Masked columns, `pseudonymize`
/// (for direct identifiers) and `anonymize` break the chain. Computed to a fixed point over the
/// upstream graph, so loops terminate and every path counts.
struct CategoryPropagation {
    let context: QueryContext

    /// One dataset's categories: on the whole dataset, and per column.
    struct Held: Equatable {
        var dataset: [String: Set<Int64>] = [:]
        var fields: [String: [String: Set<Int64>]] = [:]
        var pseudonymised = false

        /// Every category key, with the datasets it came from (empty: declared on this dataset).
        var all: [String: Set<Int64>] {
            guard !fields.isEmpty else { return dataset }
            var keys = dataset
            for (_, columnKeys) in fields { for (key, sources) in columnKeys { keys[key, default: []].formUnion(sources) } }
            return keys
        }

        mutating func add(_ key: String, from source: Int64?, field: String?) {
            let sources: Set<Int64> = source.map { [$0] } ?? []
            if let field { fields[field, default: [:]][key, default: []].formUnion(sources) } else { dataset[key, default: []].formUnion(sources) }
        }
    }

    /// The categories of every dataset in `roots` and upstream of them.
    func categories(of roots: [Int64]) throws -> [Int64: Held] {
        // The upstream closure, with the completed runs that wrote each dataset.
        var writers: [Int64: [RunState]] = [:]
        var queue = roots, seen = Set(roots)
        while let dataset = queue.popLast() {
            var list: [RunState] = []
            for run in try context.runStates(touching: dataset, "out") where run.completion != nil {
                list.append(run)
                for input in try context.datasets(of: run.id, "in") where seen.insert(input).inserted { queue.append(input) }
            }
            writers[dataset] = list
        }
        var held: [Int64: Held] = [:]
        for dataset in seen {
            let state = try context.state(of: dataset)
            var declared = Held()
            for key in state.categories { declared.add(key, from: nil, field: nil) }
            for (field, keys) in state.fields { for key in keys { declared.add(key, from: nil, field: field) } }
            held[dataset] = declared
        }
        // Datasets in the order their first writer completed: data mostly flows forward in time, so one
        // pass in this order carries nearly everything. A dataset is worked out again only when one of its
        // inputs changed after it was (a loop, or a write out of time order): `dirty` marks it, and the
        // pass repeats until nothing is marked.
        let order = writers.filter { !$0.value.isEmpty }
            .map { (dataset: $0.key, first: $0.value.compactMap(\.completion).min()!) }
            .sorted { $0.first < $1.first }.map(\.dataset)
        // Who reads whom inside the closure: when a dataset changes, the outputs of the completed runs
        // that read it are worked out again.
        var dependents: [Int64: [Int64]] = [:]
        for (output, runs) in writers {
            for run in runs { for input in try context.datasets(of: run.id, "in") { dependents[input, default: []].append(output) } }
        }
        var dirty = Set(order)
        var columns: [Int64: [Int64: [QueryContext.ColumnMapping]]] = [:]
        for output in order {
            columns[output] = Dictionary(grouping: try context.columnLineage(into: output), by: \.run)
        }
        while !dirty.isEmpty {
            for output in order where dirty.remove(output) != nil {
                guard !(try context.state(of: output).isDeclaredAnonymous) else { continue }
                var next = held[output]!
                for run in writers[output]! {
                    try carry(run, into: &next, output: output, held: held, columns: columns[output]?[run.id] ?? [])
                }
                guard next != held[output]! else { continue }
                held[output] = next
                dirty.formUnion(dependents[output] ?? [])
            }
        }
        return held
    }

    private func carry(_ run: RunState, into output: inout Held, output id: Int64, held: [Int64: Held],
                       columns: [QueryContext.ColumnMapping]) throws {
        let operation = run.processing.operation
        guard !["anonymize", "erase", "access"].contains(operation) else { return }
        let pseudonymize = operation == "pseudonymize"
        if pseudonymize { output.pseudonymised = true }
        let taxonomy = context.pack.taxonomy
        func passes(_ key: String) -> Bool { !pseudonymize || !taxonomy.category(key).directIdentifier }
        for input in try context.datasets(of: run.id, "in") {
            guard let source = held[input] else { continue }
            let mapped = columns.filter { $0.input == input }
            if mapped.isEmpty && columns.isEmpty {
                for key in source.all.keys where passes(key) { output.add(key, from: input, field: nil) }
                continue
            }
            // Column lineage given: columns flow where mapped and unmasked; what the input holds
            // without a column flows to the whole output, since nobody can say where it went.
            for key in source.dataset.keys where passes(key) { output.add(key, from: input, field: nil) }
            for mapping in mapped where !mapping.masking {
                for key in source.fields[mapping.inField]?.keys ?? [:].keys where passes(key) {
                    output.add(key, from: input, field: mapping.outField)
                }
            }
        }
    }
}
