import GRDB

/// Follows one person through the graph in the order things happened.
///
/// Confirmed presence comes from events that name the person's tokens on a dataset. From each arrival,
/// every completed run that read the dataset after the data arrived and before it was removed carries
/// the person into its outputs, unless its operation carries nobody (`aggregate`, `anonymize`, `erase`,
/// `access`) or the output is declared anonymous. Arrivals are taken earliest first, so each dataset's
/// periods come out right however the graph loops, and each (dataset, period) is expanded once.
struct SubjectTrailQuery {
    let context: QueryContext
    let tokens: [String]

    private struct Arrival {
        let at: Moment
        let dataset: Int64
        let confirmed: Bool
        let run: Int64?
        let from: Int64?
    }

    private struct OpenPeriod {
        let since: Moment
        var confirmed: Bool
        let run: Int64?
        let from: Int64?
        let until: Moment?
        /// How it ended (`erasure`, `DROP`, …) and the run that ended it.
        let removal: (how: String, run: RunSummary?)?
    }

    func run() throws -> SubjectTrail {
        var arrivals = MinHeap<Arrival> { $0.at < $1.at }
        var personalRemovals: [Int64: [(at: Moment, run: RunSummary?)]] = [:]
        var consultations: [SubjectTrail.Consultation] = []
        var collections: [SubjectTrail.Collection] = []
        var consulted: Set<Int64> = []
        // (run, dataset) pairs already listed: two identifiers of one person named by one collection.
        var collected: Set<[Int64]> = []
        for token in tokens {
            for row in try Row.fetchAll(context.db.cachedStatement(sql: "SELECT seq, dataset_id, kind, run_id, event_time FROM lineage_subject WHERE token = ?"),
                arguments: [token]) {
                let seq: Int = row[0], dataset: Int64 = row[1], kind: String = row[2], time: Int64 = row[4]
                guard context.horizon.sees(seq: seq, time: time) else { continue }
                var moment = Moment(time: time, seq: seq)
                var run: RunRecord?
                if let runID: Int64 = row[3] {
                    // Only a completed run wrote, erased or consulted anything.
                    guard let record = try context.run(runID), let completion = record.completion else { continue }
                    run = record
                    moment = completion
                }
                switch kind {
                case "w":
                    arrivals.push(Arrival(at: moment.with(.arrival), dataset: dataset, confirmed: true, run: run?.id, from: nil))
                    if let run, run.processing.operation == "collect", collected.insert([run.id, dataset]).inserted {
                        collections.append(.init(dataset: try context.datasetName(dataset), at: EventStamp(moment), run: run.summary))
                    }
                case "e":
                    personalRemovals[dataset, default: []].append((moment.with(.removal), run?.summary))
                case "r":
                    if let run, run.processing.operation == "access", consulted.insert(run.id).inserted {
                        let inputs = try context.datasets(of: run.id, "in").map(context.datasetName).sorted()
                        consultations.append(.init(at: EventStamp(moment), run: run.summary, datasets: inputs))
                    }
                default:
                    continue
                }
            }
        }

        var periods: [Int64: [OpenPeriod]] = [:]
        // Datasets no event declared anonymous or cleared: their removals can only be erasures of the person.
        var neverCleared: Set<Int64> = []
        var disclosures: [Int64: SubjectTrail.Disclosure] = [:]
        var carries: [(from: Int64, to: Int64, at: Moment)] = []
        while let arrival = arrivals.pop() {
            let dataset = arrival.dataset
            if let index = periods[dataset]?.firstIndex(where: { $0.since <= arrival.at && ($0.until.map { arrival.at < $0 } ?? true) }) {
                if arrival.confirmed { periods[dataset]![index].confirmed = true }
                if let from = arrival.from { carries.append((from, dataset, arrival.at)) }
                continue
            }
            let (until, removal) = try firstRemoval(in: dataset, after: arrival.at, personal: personalRemovals[dataset] ?? [],
                checkClears: !neverCleared.contains(dataset))
            // Within one event an erasure beats a carry: the event that removes the person brings nobody back.
            if let until, until.time == arrival.at.time && until.seq == arrival.at.seq { continue }
            if let from = arrival.from { carries.append((from, dataset, arrival.at)) }
            periods[dataset, default: []].append(OpenPeriod(since: arrival.at, confirmed: arrival.confirmed, run: arrival.run,
                from: arrival.from, until: until, removal: removal))
            for (reader, outputs) in try context.readers(of: dataset) {
                guard let completion = reader.completion, arrival.at < completion, until.map({ completion < $0 }) ?? true else { continue }
                if disclosures[reader.id] == nil { disclosures[reader.id] = try context.disclosure(by: reader, at: completion) }
                guard reader.processing.carriesSubjects else { continue }
                for output in outputs {
                    if output.mayBeCleared {
                        if try context.presenceFacts(of: output.dataset).isDeclaredAnonymous { continue }
                    } else {
                        neverCleared.insert(output.dataset)
                    }
                    arrivals.push(Arrival(at: completion.with(.arrival), dataset: output.dataset, confirmed: false, run: reader.id, from: dataset))
                }
            }
        }

        try context.preload(runs: periods.values.joined().compactMap(\.run))
        try context.preload(datasetNames: periods.keys + periods.values.joined().compactMap(\.from) + carries.map(\.from))
        try context.preload(presenceFacts: periods.keys)
        var holdings: [SubjectTrail.Holding] = []
        var removals: [SubjectTrail.Removal] = []
        for (dataset, open) in periods {
            let name = try context.datasetName(dataset)
            let list = try open.sorted { $0.since < $1.since }.map { period in
                SubjectTrail.Period(since: EventStamp(period.since), confirmed: period.confirmed, run: try period.run.flatMap(context.run)?.summary,
                    from: try period.from.map(context.datasetName),
                    until: period.until.map { SubjectTrail.Removal(dataset: name, at: EventStamp($0), how: period.removal!.how, run: period.removal!.run) })
            }
            removals += list.compactMap(\.until)
            holdings.append(.init(dataset: name, location: try context.location(of: dataset), periods: list))
        }
        return SubjectTrail(
            knownIdentifiers: tokens.count,
            datasets: holdings.sorted { $0.dataset < $1.dataset },
            disclosures: disclosures.values.sorted { ($0.at, $0.recipient.name) < ($1.at, $1.recipient.name) },
            consultations: consultations.sorted { $0.at < $1.at },
            removals: removals.sorted { ($0.at, $0.dataset) < ($1.at, $1.dataset) },
            collections: collections.sorted { ($0.at, $0.dataset) < ($1.at, $1.dataset) },
            carries: try carries.map { SubjectTrail.Carry(from: try context.datasetName($0.from), to: try context.datasetName($0.to), at: EventStamp($0.at)) }
                .sorted { ($0.at, $0.from, $0.to) < ($1.at, $1.from, $1.to) })
    }

    /// The first event after `moment` that ends the person's presence in a dataset: an erasure naming
    /// them, or a DROP, TRUNCATE or OVERWRITE.
    private func firstRemoval(in dataset: Int64, after moment: Moment, personal: [(at: Moment, run: RunSummary?)], checkClears: Bool) throws
        -> (Moment?, (how: String, run: RunSummary?)?)
    {
        var best: (at: Moment, how: String, run: RunSummary?)?
        for (at, run) in personal where at > moment {
            if best == nil || at < best!.at { best = (at, "erasure", run) }
        }
        if checkClears, let clear = try context.presenceFacts(of: dataset).clears.first(where: { $0.at > moment }), best == nil || clear.at < best!.at {
            best = (clear.at, clear.how, clear.run)
        }
        return (best?.at, best.map { ($0.how, $0.run) })
    }
}
