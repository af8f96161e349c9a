import CustodyLog
import CustodyPack
import GRDB

/// The categories a dataset holds: what events declared on it, plus what completed runs carried in
/// from their inputs, column by column where column lineage is given. Masked columns, `pseudonymize`
/// (for direct identifiers) and `anonymize` break the chain. Computed to a fixed point over the
/// upstream graph, so loops terminate and every path counts.
///
/// The lineage projection keeps the result for every dataset as events arrive (`lineage_held`, before the
/// pack is applied); a view that sees what the projection covers reads it from there, and a view as of an
/// earlier time works it out here.
struct CategoryPropagation {
    let context: QueryContext

    /// One dataset's categories under the pack: the origins the pack lets through (`CarriedCategories.applying`),
    /// each a key on the whole dataset or on a column, declared there (source 0) or carried in from a dataset.
    struct Held {
        /// In origin order: whole-dataset keys first, then columns by name; within each, by key, then source.
        var origins: [CarriedCategories.Origin] = []
        var pseudonymised = false
        /// See `CarriedCategories.collectionPurposes` and `firstWrite`: carried like the categories, but
        /// whatever the pack says.
        var collectionPurposes: Set<String> = []
        var firstWrite: CarriedCategories.FirstWrite?
    }

    /// The categories of every dataset in `roots`, under the view's pack.
    func categories(of roots: [Int64]) throws -> [Int64: Held] {
        let carried: [Int64: CarriedCategories]
        if context.seesStoredCategories {
            carried = try context.storedCategories(of: roots)
        } else {
            try context.preload(upstreamOf: roots)
            carried = try self.carried(of: roots)
        }
        let taxonomy = context.pack.taxonomy
        var verdicts: [String: CarriedCategories.Verdict] = [:]
        var held: [Int64: Held] = [:]
        held.reserveCapacity(roots.count)
        for root in roots { held[root] = carried[root]?.applying(taxonomy, verdicts: &verdicts) ?? Held() }
        return held
    }

    /// What `categories(of:)` gives for every dataset of a view of the whole store: the stored rows read in
    /// one scan now, then decoded and put under the pack on another thread, while the caller reads on.
    func categoriesOfEveryDataset(_ all: [Int64]) throws -> Aside<[Int64: Held]> {
        guard context.seesStoredCategories else {
            let held = try categories(of: all)
            return Aside { held }
        }
        let taxonomy = context.pack.taxonomy, rows = try context.storedCategoryRows()
        return Aside {
            var verdicts: [String: CarriedCategories.Verdict] = [:]
            var held: [Int64: Held] = [:]
            held.reserveCapacity(rows.count)
            var pool = TextPool()
            for row in rows { held[row.dataset] = try row.decoded(pool: &pool).applying(taxonomy, verdicts: &verdicts) }
            return held
        }
    }

    /// The categories of `roots` before the pack is applied, worked out from everything upstream of them that
    /// the view sees. `settled` gives the value of a dataset that is known already: it is taken as it is, and
    /// the walk does not go above it. The result holds every dataset the walk reached.
    func carried(of roots: [Int64], settled: (Int64) throws -> CarriedCategories? = { _ in nil }) throws -> [Int64: CarriedCategories] {
        // The upstream closure, with the completed runs that wrote each dataset.
        var writers: [Int64: [RunState]] = [:]
        var held: [Int64: CarriedCategories] = [:]
        var queue = roots, seen = Set(roots)
        while let dataset = queue.popLast() {
            if let value = try settled(dataset) {
                held[dataset] = value
                continue
            }
            var list: [RunState] = []
            for run in try context.runStates(touching: dataset, "out") where run.completion != nil {
                list.append(run)
                for input in try context.datasets(of: run.id, "in") where seen.insert(input).inserted { queue.append(input) }
            }
            writers[dataset] = list
        }
        for dataset in writers.keys {
            let state = try context.state(of: dataset)
            var declared = CarriedCategories()
            for key in state.categories { declared.add(key, field: nil, from: 0, .declared) }
            for (field, keys) in state.fields { for key in keys { declared.add(key, field: field, from: 0, .declared) } }
            for key in state.taggedCategories { declared.add(key, field: nil, from: 0, .tagged) }
            for (field, keys) in state.taggedFields { for key in keys { declared.add(key, field: field, from: 0, .tagged) } }
            for run in writers[dataset]! {
                let completion = run.completion!
                declared.offer(firstWrite: .init(time: completion.time, seq: completion.seq, origin: dataset))
                if run.processing.operation == "collect" { declared.add(collectionPurposes: run.processing.purposes) }
            }
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
        var columns: [Int64: [QueryContext.ColumnMapping]] = [:]
        for output in order {
            let mappings = try context.columnLineage(into: output)
            if !mappings.isEmpty { columns[output] = mappings }
        }
        while !dirty.isEmpty {
            for output in order where dirty.remove(output) != nil {
                // Nothing personal flows into a dataset declared anonymous; where its data came from still does.
                let anonymous = try context.state(of: output).isDeclaredAnonymous
                var next = held[output]!
                var changed = false
                for run in writers[output]! {
                    if try carryCollection(run, into: &next, held: held) { changed = true }
                    guard !anonymous else { continue }
                    let mappings = columns[output]?.filter { $0.run == run.id } ?? []
                    if try carry(run, into: &next, held: held, columns: mappings) { changed = true }
                }
                guard changed else { continue }
                held[output] = next
                dirty.formUnion(dependents[output] ?? [])
            }
        }
        return held
    }

    /// Carries the collection purposes and the first write of the run's inputs into its output; returns
    /// whether that changed anything. A `collect` run gave the output its own purposes already.
    private func carryCollection(_ run: RunState, into output: inout CarriedCategories, held: [Int64: CarriedCategories]) throws -> Bool {
        let operation = run.processing.operation
        let purposes = !["collect", "anonymize", "erase", "access"].contains(operation)
        let copiesPeople = run.processing.carriesSubjects
        guard purposes || copiesPeople else { return false }
        var changed = false
        for input in try context.datasets(of: run.id, "in") {
            guard let source = held[input] else { continue }
            if purposes, output.add(collectionPurposes: source.collectionPurposes) { changed = true }
            if copiesPeople, let first = source.firstWrite, output.offer(firstWrite: first) { changed = true }
        }
        return changed
    }

    /// Carries what the run's inputs hold into its output; returns whether that added anything.
    private func carry(_ run: RunState, into output: inout CarriedCategories, held: [Int64: CarriedCategories],
                       columns: [QueryContext.ColumnMapping]) throws -> Bool {
        let operation = run.processing.operation
        guard !["anonymize", "erase", "access"].contains(operation) else { return false }
        let pseudonymize = operation == "pseudonymize"
        var changed = false
        if pseudonymize && !output.pseudonymised {
            output.pseudonymised = true
            changed = true
        }
        func through(_ paths: CarriedCategories.Paths) -> CarriedCategories.Paths { pseudonymize ? paths.pseudonymised : paths }
        for input in try context.datasets(of: run.id, "in") {
            guard let source = held[input] else { continue }
            let mapped = columns.filter { $0.input == input }
            if mapped.isEmpty && columns.isEmpty {
                for entry in source.entries where output.add(entry.origin.key, field: nil, from: input, through(entry.paths)) { changed = true }
                continue
            }
            // Column lineage given: columns flow where mapped and unmasked; what the input holds
            // without a column flows to the whole output, since nobody can say where it went.
            for entry in source.entries where entry.origin.field == nil {
                if output.add(entry.origin.key, field: nil, from: input, through(entry.paths)) { changed = true }
            }
            for mapping in mapped where !mapping.masking {
                for entry in source.entries where entry.origin.field == mapping.inField {
                    if output.add(entry.origin.key, field: mapping.outField, from: input, through(entry.paths)) { changed = true }
                }
            }
        }
        return changed
    }
}
