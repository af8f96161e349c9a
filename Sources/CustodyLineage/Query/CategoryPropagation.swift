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
        return underPack(carried, of: roots)
    }

    /// `carried` put under the view's pack, for each of `roots` (nothing carried: no categories).
    func underPack(_ carried: [Int64: CarriedCategories], of roots: [Int64]) -> [Int64: Held] {
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
        // The upstream closure, with the completed runs that wrote each dataset and what each of them read, and
        // when the first of them completed.
        var writers: [Int64: [Writer]] = [:]
        var firstCompletions: [(dataset: Int64, first: Moment)] = []
        var held: [Int64: CarriedCategories] = [:]
        var queue = roots, seen = Set(roots)
        writers.reserveCapacity(roots.count)
        firstCompletions.reserveCapacity(roots.count)
        held.reserveCapacity(2 * roots.count)
        seen.reserveCapacity(2 * roots.count)
        while let dataset = queue.popLast() {
            if let value = try settled(dataset) {
                held[dataset] = value
                continue
            }
            var list: [Writer] = []
            var first: Moment?
            for run in try context.runStates(touching: dataset, "out") {
                guard let completion = run.completion else { continue }
                let inputs = try context.datasets(of: run.id, "in")
                list.append(Writer(run, inputs: inputs))
                if first.map({ completion < $0 }) ?? true { first = completion }
                for input in inputs where seen.insert(input).inserted { queue.append(input) }
            }
            writers[dataset] = list
            if let first { firstCompletions.append((dataset, first)) }
        }
        var anonymous: Set<Int64> = []
        for (dataset, runs) in writers {
            let state = try context.state(of: dataset)
            // Nothing personal flows into a dataset declared anonymous; where its data came from still does.
            if state.isDeclaredAnonymous { anonymous.insert(dataset) }
            var declared = CarriedCategories()
            for key in state.categories { declared.add(key, field: nil, from: 0, .declared) }
            for (field, keys) in state.fields { for key in keys { declared.add(key, field: field, from: 0, .declared) } }
            for key in state.taggedCategories { declared.add(key, field: nil, from: 0, .tagged) }
            for (field, keys) in state.taggedFields { for key in keys { declared.add(key, field: field, from: 0, .tagged) } }
            for writer in runs {
                let completion = writer.run.completion!
                declared.offer(firstWrite: .init(time: completion.time, seq: completion.seq, origin: dataset))
                if writer.collects { declared.add(collectionPurposes: writer.run.processing.purposes) }
            }
            held[dataset] = declared
        }
        // Datasets in the order their first writer completed: data mostly flows forward in time, so one
        // pass in this order carries nearly everything. A dataset is worked out again only when one of its
        // inputs changed after it was (a loop, or a write out of time order): `dirty` marks it, and the
        // pass repeats until nothing is marked. Both, and who reads whom, by place in that order.
        let order = firstCompletions.sorted { $0.first < $1.first }.map(\.dataset)
        var place: [Int64: Int] = [:]
        place.reserveCapacity(order.count)
        for (index, dataset) in order.enumerated() { place[dataset] = index }
        var runs = order.map { writers[$0]! }
        writers = [:]
        // Who reads whom inside the closure: when a dataset changes, the outputs of the completed runs
        // that read it are worked out again.
        var dependents = [[Int]](repeating: [], count: order.count)
        for (output, list) in runs.enumerated() {
            for writer in list { for input in writer.inputs { if let reader = place[input] { dependents[reader].append(output) } } }
        }
        for (index, output) in order.enumerated() {
            let mappings = try context.columnLineage(into: output)
            guard !mappings.isEmpty else { continue }
            for writer in runs[index].indices { runs[index][writer].columns = mappings.filter { $0.run == runs[index][writer].run.id } }
        }
        var dirty = [Bool](repeating: true, count: order.count), marked = order.count
        while marked > 0 {
            for index in order.indices where dirty[index] {
                dirty[index] = false
                marked -= 1
                let output = order[index]
                var next = held[output]!
                var changed = false
                let declaredAnonymous = anonymous.contains(output)
                for writer in runs[index] {
                    if carryCollection(writer, into: &next, held: held) { changed = true }
                    if !declaredAnonymous, carry(writer, into: &next, held: held) { changed = true }
                }
                guard changed else { continue }
                held[output] = next
                for reader in dependents[index] where !dirty[reader] {
                    dirty[reader] = true
                    marked += 1
                }
            }
        }
        return held
    }

    /// A completed run that wrote a dataset of the closure, with what carrying its inputs into it needs.
    private struct Writer {
        let run: RunState
        let inputs: [Int64]
        /// The column lineage the run gave into the dataset.
        var columns: [QueryContext.ColumnMapping] = []
        /// A `collect` run: its own purposes are the dataset's collection purposes.
        let collects: Bool
        /// It carries the collection purposes of its inputs (any run but `collect`, `anonymize`, `erase` and `access`).
        let carriesPurposes: Bool
        /// It carries the first write of its inputs: it copies people (`Processing.carriesSubjects`).
        let copiesPeople: Bool
        /// It carries categories: any run but `anonymize`, `erase` and `access`.
        let carriesCategories: Bool
        /// A `pseudonymize` run: what it carries goes through a pseudonymisation step.
        let pseudonymizes: Bool

        init(_ run: RunState, inputs: [Int64]) {
            self.run = run
            self.inputs = inputs
            let operation = run.processing.operation
            collects = operation == "collect"
            let stopsCategories = operation == "anonymize" || operation == "erase" || operation == "access"
            carriesPurposes = !collects && !stopsCategories
            copiesPeople = run.processing.carriesSubjects
            carriesCategories = !stopsCategories
            pseudonymizes = operation == "pseudonymize"
        }
    }

    /// Carries the collection purposes and the first write of the run's inputs into its output; returns
    /// whether that changed anything. A `collect` run gave the output its own purposes already.
    private func carryCollection(_ writer: Writer, into output: inout CarriedCategories, held: [Int64: CarriedCategories]) -> Bool {
        guard writer.carriesPurposes || writer.copiesPeople else { return false }
        var changed = false
        for input in writer.inputs {
            guard let source = held[input] else { continue }
            if writer.carriesPurposes, output.add(collectionPurposes: source.collectionPurposes) { changed = true }
            if writer.copiesPeople, let first = source.firstWrite, output.offer(firstWrite: first) { changed = true }
        }
        return changed
    }

    /// Carries what the run's inputs hold into its output; returns whether that added anything.
    private func carry(_ writer: Writer, into output: inout CarriedCategories, held: [Int64: CarriedCategories]) -> Bool {
        guard writer.carriesCategories else { return false }
        let pseudonymize = writer.pseudonymizes
        var changed = false
        if pseudonymize && !output.pseudonymised {
            output.pseudonymised = true
            changed = true
        }
        func through(_ paths: CarriedCategories.Paths) -> CarriedCategories.Paths { pseudonymize ? paths.pseudonymised : paths }
        let columns = writer.columns
        for input in writer.inputs {
            guard let source = held[input] else { continue }
            if columns.isEmpty {
                for entry in source.entries where output.add(entry.origin.key, field: nil, from: input, through(entry.paths)) { changed = true }
                continue
            }
            // Column lineage given: columns flow where mapped and unmasked; what the input holds
            // without a column flows to the whole output, since nobody can say where it went.
            for entry in source.entries where entry.origin.field == nil {
                if output.add(entry.origin.key, field: nil, from: input, through(entry.paths)) { changed = true }
            }
            for mapping in columns where mapping.input == input && !mapping.masking {
                for entry in source.entries where entry.origin.field == mapping.inField {
                    if output.add(entry.origin.key, field: mapping.outField, from: input, through(entry.paths)) { changed = true }
                }
            }
        }
        return changed
    }
}
