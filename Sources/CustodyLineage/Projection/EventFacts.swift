import CustodyLog
import CustodyModel

/// A dataset or job as events name it. Two keys are one node when their namespaces and names are the same
/// bytes, as the tables compare them (see `ExactText`).
struct NodeKey: Hashable, Sendable {
    let namespace: String
    let name: String
    /// The hash of both, worked out where the key is extracted (ingest's worker threads): the writer looks
    /// every key it meets up in its memory of ids, and hashing the texts there was a twentieth of its time.
    private let fingerprint: Int

    init?(_ value: (some JSONReading)?) {
        guard let namespace = value?["namespace"]?.stringValue, let name = value?["name"]?.stringValue else { return nil }
        self.namespace = namespace
        self.name = name
        var hasher = Hasher()
        ExactText.combineBytes(of: namespace, into: &hasher)
        ExactText.combineBytes(of: name, into: &hasher)
        fingerprint = hasher.finalize()
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(fingerprint)
    }

    static func == (left: NodeKey, right: NodeKey) -> Bool {
        left.fingerprint == right.fingerprint && ExactText.sameBytes(left.name, right.name) && ExactText.sameBytes(left.namespace, right.namespace)
    }
}

/// What the lineage projections keep of one event, read from its JSON without the database, so ingest
/// extracts it on its worker threads and the writer only runs SQL (`LineageWriter`).
struct EventFacts: Sendable {
    enum Body: Sendable {
        case run(RunFacts)
        /// A JobEvent: the job's `custody_processing` facet (canonical JSON), defaults for its runs.
        case job(NodeKey, defaults: ExactText?)
        /// A DatasetEvent's dataset.
        case dataset(DatasetEntry)
        /// An event lineage has nothing to take from (no job or dataset name).
        case nothing
    }

    /// The event time, in microseconds since 1970.
    let time: Int
    let body: Body

    init(_ event: some JSONReading, kind: EventKind) {
        // Validation guaranteed a parsable eventTime before the event was appended.
        time = event["eventTime"]?.stringValue.flatMap(RFC3339.parse).map { Int(Moment.microseconds($0.date)) } ?? 0
        switch kind {
        case .run:
            body = RunFacts(event).map(Body.run) ?? .nothing
        case .job:
            body = NodeKey(event["job"]).map { .job($0, defaults: Self.facet(event["job"]?["facets"]?[ProcessingFacet.name])) } ?? .nothing
        case .dataset:
            body = NodeKey(event["dataset"]).map { .dataset(DatasetEntry(node: $0, position: 0, entry: event["dataset"]!)) } ?? .nothing
        }
    }

    /// A facet as RFC 8785 JSON, so equal facets are equal text (and stored once).
    static func facet(_ value: (some JSONReading)?) -> ExactText? {
        // Validation already checked that every number is one canonical JSON can hold.
        value?.canonicalText.map(ExactText.init)
    }
}

/// A RunEvent's facts.
struct RunFacts: Sendable {
    let job: NodeKey
    /// The job's `custody_processing` facet, when the event's job carries one.
    let jobDefaults: ExactText?
    /// Lowercased, so spellings of one UUID name one run.
    let runUUID: String
    let eventType: String
    /// The run's `custody_processing` facet.
    let processing: ExactText?
    let inputs: [DatasetEntry]
    let outputs: [DatasetEntry]
    let columns: [ColumnEdge]

    var isTerminal: Bool { ["COMPLETE", "FAIL", "ABORT"].contains(eventType) }

    init?(_ event: some JSONReading) {
        guard let job = NodeKey(event["job"]), let runUUID = event["run"]?["runId"]?.stringValue else { return nil }
        self.job = job
        self.runUUID = runUUID.lowercased()
        jobDefaults = EventFacts.facet(event["job"]?["facets"]?[ProcessingFacet.name])
        eventType = event["eventType"]?.stringValue ?? "OTHER"
        processing = EventFacts.facet(event["run"]?["facets"]?[ProcessingFacet.name])
        inputs = Self.entries(event["inputs"]) { _, _ in }
        var columns: [ColumnEdge] = []
        outputs = Self.entries(event["outputs"]) { index, output in
            columns += ColumnEdge.edges(output["facets"]?["columnLineage"], intoOutput: index)
        }
        self.columns = columns
    }

    /// The datasets of a list that name themselves, with their places in it; `each` is also given each one's
    /// index among them, and its value.
    private static func entries<Value: JSONReading>(_ list: Value?, _ each: (Int, Value) -> Void) -> [DatasetEntry] {
        guard let datasets = list?.elements else { return [] }
        var entries: [DatasetEntry] = []
        entries.reserveCapacity(datasets.count)
        for (position, dataset) in datasets.enumerated() {
            guard let node = NodeKey(dataset) else { continue }
            each(entries.count, dataset)
            entries.append(DatasetEntry(node: node, position: position, entry: dataset))
        }
        return entries
    }
}

/// One dataset an event lists, with what it says about it.
struct DatasetEntry: Sendable {
    let node: NodeKey
    /// Its place in the event's list (part of the fact's key).
    let position: Int
    let facts: DatasetEntryFacts

    init(node: NodeKey, position: Int, entry: some JSONReading) {
        self.node = node
        self.position = position
        facts = DatasetEntryFacts(entry)
    }
}

/// Column lineage: an output column fed by an input column, masked or not.
struct ColumnEdge: Sendable {
    /// The output's index in `RunFacts.outputs`.
    let output: Int
    let outField: String
    let input: NodeKey
    let inField: String
    let masking: Bool

    static func edges(_ facet: (some JSONReading)?, intoOutput output: Int) -> [ColumnEdge] {
        guard let fields = facet?["fields"]?.members else { return [] }
        var edges: [ColumnEdge] = []
        for (outField, mapping) in fields {
            guard let inputs = mapping["inputFields"]?.elements else { continue }
            for input in inputs {
                guard let key = NodeKey(input), let inField = input["field"]?.stringValue else { continue }
                edges.append(ColumnEdge(output: output, outField: outField, input: key, inField: inField, masking: isMasking(input, mapping)))
            }
        }
        return edges
    }

    /// A transformation marked `masking: true` (OpenLineage 1-2-0), or the older `transformationType`
    /// `MASKED`, breaks the propagation of the input column's categories.
    static func isMasking<Value: JSONReading>(_ input: Value, _ mapping: Value) -> Bool {
        if let transformations = input["transformations"]?.elements {
            if transformations.contains(where: { $0["masking"]?.boolValue == true }) { return true }
        }
        return mapping["transformationType"]?.stringValue?.uppercased() == "MASKED"
    }
}
