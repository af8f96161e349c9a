/// The rows a fill's writer inserted since its last category pass, kept as the pass would read them back:
/// every row about a dataset or run first inserted in this pass is here, so the pass reads only what
/// earlier passes wrote (`QueryContext.readRegion(_:runStates:written:)`). Reading its own rows back
/// was most of what the pass's statements did. Bounded by the pass: emptied at each.
final class PassJournal {
    /// The first dataset and run inserted since the journal was emptied (ids grow during a fill from
    /// empty, which deletes none), or `nil`.
    private var firstDataset: Int64?, firstRun: Int64?
    /// Every edge as the writer inserted it: the table keeps one of each (`INSERT OR IGNORE`, since a run's
    /// later events list its datasets again), so whoever reads these leaves out repeats (`uniqueEdges`).
    private(set) var edges: [(run: Int64, output: Bool, dataset: Int64)] = []
    private(set) var runs: [Int64: QueryContext.RunRow] = [:]
    private(set) var facts: [QueryContext.FactRow] = []
    private(set) var columns: [ColumnRow] = []

    /// A `lineage_column` row, by its key (an event that maps one column twice keeps the strongest masking).
    struct ColumnRow {
        let seq: Int, dataset: Int64, run: Int64
        let outField: String, input: Int64, inField: String
        var masking: Bool

        /// Whether both are one row of the table: texts compared as SQLite does, byte for byte.
        func hasKey(of other: ColumnRow) -> Bool {
            seq == other.seq && dataset == other.dataset && input == other.input
                && outField.utf8.elementsEqual(other.outField.utf8) && inField.utf8.elementsEqual(other.inField.utf8)
        }

        /// The order the column index (`lineage_column_out`) gives one dataset's rows: by run, then by key,
        /// texts byte for byte.
        static func inIndexOrder(_ left: ColumnRow, _ right: ColumnRow) -> Bool {
            if left.run != right.run { return left.run < right.run }
            if left.seq != right.seq { return left.seq < right.seq }
            if !left.outField.utf8.elementsEqual(right.outField.utf8) { return left.outField.utf8.lexicographicallyPrecedes(right.outField.utf8) }
            if left.input != right.input { return left.input < right.input }
            return left.inField.utf8.lexicographicallyPrecedes(right.inField.utf8)
        }
    }

    /// Whether every row about the dataset is here: it was first inserted since the journal was emptied.
    func holdsDataset(_ id: Int64) -> Bool { firstDataset.map { id >= $0 } ?? false }
    func holdsRun(_ id: Int64) -> Bool { firstRun.map { id >= $0 } ?? false }

    func insertedDataset(_ id: Int64) {
        if firstDataset == nil { firstDataset = id }
    }

    func edge(run: Int64, output: Bool, dataset: Int64) {
        guard holdsRun(run) || holdsDataset(dataset) else { return }
        edges.append((run, output, dataset))
    }

    func insertedRun(_ row: QueryContext.RunRow) {
        if firstRun == nil { firstRun = row.id }
        runs[row.id] = row
    }

    /// A later terminal event or facet replaced the run's (see `LineageWriter.record`).
    func updatedRun(_ id: Int64, terminal: (completed: Bool, moment: Moment)? = nil, facet: (moment: Moment, id: Int64)? = nil) {
        guard let row = runs[id] else { return }
        runs[id] = QueryContext.RunRow(id: id, job: row.job, terminal: terminal ?? row.terminal, facet: facet ?? row.facet)
    }

    func fact(_ row: QueryContext.FactRow) {
        if holdsDataset(row.dataset) { facts.append(row) }
    }

    func column(_ row: ColumnRow) {
        guard holdsDataset(row.dataset) else { return }
        // An event's rows come together: a duplicate key is among the rows of the same event, at the end.
        var index = columns.endIndex
        while index > columns.startIndex, columns[index - 1].seq == row.seq {
            index -= 1
            if columns[index].hasKey(of: row) {
                columns[index].masking = columns[index].masking || row.masking
                return
            }
        }
        columns.append(row)
    }

    /// The edges `include` picks, each once, in the order `lineage_io`'s key gives them: by run, inputs
    /// first, then by dataset.
    func uniqueEdges(where include: ((run: Int64, output: Bool, dataset: Int64)) -> Bool) -> [(run: Int64, output: Bool, dataset: Int64)] {
        var picked = edges.filter(include)
        picked.sort { ($0.run, $0.output ? 1 : 0, $0.dataset) < ($1.run, $1.output ? 1 : 0, $1.dataset) }
        var previous: (run: Int64, output: Bool, dataset: Int64)?
        return picked.filter { edge in
            defer { previous = edge }
            return previous.map { $0.run != edge.run || $0.output != edge.output || $0.dataset != edge.dataset } ?? true
        }
    }

    /// Forgets everything: the next pass starts.
    func empty() {
        firstDataset = nil
        firstRun = nil
        edges = []
        runs = [:]
        facts = []
        columns = []
    }
}
