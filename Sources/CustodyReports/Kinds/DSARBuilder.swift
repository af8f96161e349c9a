public import CustodyLineage
public import CustodyLog
import CustodyModel
import CustodyPack
import CustodyPolicy
public import Foundation

extension DSARReport {
    /// Answers an access request from a pinned lineage view (`Lineage.pinned()`), for the identifiers
    /// the requester was verified for. `received` starts the Art. 12(3) month; `now` is "as of" when the
    /// view has none.
    public init(lineage: CustodyLineage.Lineage, identifiers: [String], vaultKey: VaultKey, received: Date?, engineVersion: String, now: Date) throws {
        let parsed = identifiers.compactMap(SubjectIdentifier.init)
        guard parsed.count == identifiers.count, !parsed.isEmpty else {
            let bad = identifiers.first { SubjectIdentifier($0) == nil } ?? ""
            throw ReportError(.badInput, "'\(bad)' is not a subject identifier (see docs/ingest.md, \"Subjects\")")
        }
        let pack = lineage.pack
        let trail = try lineage.subject(parsed, vaultKey: vaultKey)
        evidence = try EvidenceBlock(lineage: lineage, engineVersion: engineVersion, now: now)
        // A person who asked to be erased: the request their tombstone leads to, as far as the view sees it.
        let erasure = try lineage.store.erasureRequest(tombstoning: parsed, vaultKey: vaultKey).flatMap { id in
            ErasureRecords.requests(in: try lineage.events(ofJob: ErasureRecords.job)).first { $0.id == id }
        }
        request = Request(identifiers: identifiers, knownIdentifiers: trail.knownIdentifiers, received: received.map(RFC3339.format),
            dueBy: received.map { RFC3339.format(OneMonth.after($0)) },
            erasure: erasure.map { Erasure(request: $0.id, received: RFC3339.format($0.receivedAt), forgotten: $0.forgotten.map { RFC3339.format($0.at) }) })
        controller = pack.controller.map(ControllerEntry.init)
        processingConfirmed = !trail.holdsNoData

        let held = try lineage.categories(of: trail.datasets.map(\.dataset))
        func categoryKeys(_ datasets: [NodeName]) -> [String] {
            Set(datasets.flatMap { held[$0]?.map(\.key) ?? [] }).sorted()
        }

        // Every run that moved, disclosed or consulted the person's data, with the datasets it did so on.
        var uses: [Use] = []
        for holding in trail.datasets {
            for period in holding.periods { if let run = period.run { uses.append(Use(run: run, datasets: [holding.dataset], at: period.since)) } }
        }
        for disclosure in trail.disclosures {
            uses.append(Use(run: disclosure.run, datasets: disclosure.datasets, at: disclosure.at, recipient: disclosure.recipient.name))
        }
        for consultation in trail.consultations { uses.append(Use(run: consultation.run, datasets: consultation.datasets, at: consultation.at)) }
        purposes = Self.purposes(of: uses, pack: pack, categoryKeys: categoryKeys)

        recipients = Self.recipients(of: trail, pack: pack)
        transfers = PolicyEngine(pack: pack).transfers(in: trail).map { transfer in
            Transfer(destination: transfer.assessment.destination, recipient: transfer.recipient?.name, datasets: transfer.datasets.map(\.name),
                at: RFC3339.format(transfer.at.time), event: transfer.at.seq, branch: transfer.assessment.branch.rawValue,
                basis: transfer.assessment.basis, onwardFromCountries: transfer.assessment.onwardFrom, gaps: transfer.assessment.gaps)
        }
        sources = trail.collections.compactMap { collection in
            guard let source = collection.run.processing.source else { return nil }
            return Source(dataset: collection.dataset.name, type: source.type, name: source.name, collectedAt: RFC3339.format(collection.at.time),
                event: collection.at.seq, job: collection.run.job.name)
        }
        automatedDecisions = trail.datasets.flatMap { holding in
            holding.periods.compactMap { period -> AutomatedDecision? in
                guard let run = period.run, run.processing.operation == "decide" else { return nil }
                return AutomatedDecision(job: run.job.name, at: RFC3339.format(period.since.time), event: period.since.seq, dataset: holding.dataset.name,
                    logic: run.processing.automatedDecision?.logic, significance: run.processing.automatedDecision?.significance,
                    purposes: run.processing.purposes)
            }
        }.sorted { ($0.event, $0.dataset) < ($1.event, $1.dataset) }
        consultations = trail.consultations.map {
            Consultation(at: RFC3339.format($0.at.time), event: $0.at.seq, job: $0.run.job.name, purposes: $0.run.processing.purposes,
                datasets: $0.datasets.map(\.name))
        }
        removals = trail.removals.map {
            Removal(dataset: $0.dataset.name, at: RFC3339.format($0.at.time), event: $0.at.seq, how: $0.how, job: $0.run?.job.name)
        }
        copyLocations = trail.datasets.map { holding in
            let last = holding.periods.last
            return CopyLocation(system: holding.dataset.namespace, dataset: holding.dataset.name, location: holding.location.text,
                country: holding.location.country?.code, present: holding.isPresent, confirmed: holding.isConfirmed,
                since: holding.periods.first.map { RFC3339.format($0.since.time) } ?? "", until: holding.isPresent ? nil : last?.until.map { RFC3339.format($0.at.time) },
                categories: categoryKeys([holding.dataset]))
        }
        rights = Self.rights(bases: Set(purposes.flatMap(\.legalBases)), automated: !automatedDecisions.isEmpty, controller: pack.controller)

        var cited = Set(purposes.flatMap(\.events))
        cited.formUnion(recipients.flatMap { $0.disclosures.map(\.event) })
        cited.formUnion(transfers.map(\.event))
        cited.formUnion(sources.map(\.event))
        cited.formUnion(automatedDecisions.map(\.event))
        cited.formUnion(consultations.map(\.event))
        cited.formUnion(removals.map(\.event))
        let size = evidence.logSize
        let events = cited.sorted()
        proofs = zip(events, try lineage.store.inclusionProofs(seqs: events, size: size).proofs).map { seq, proof in
            InclusionProof(event: seq, leafHash: proof.leafHash.base64, hashes: proof.proof.map(\.base64))
        }
        diagram = Self.diagram(of: trail)
    }

    /// A run that touched the person's data: on which datasets, when, and to whom it disclosed them.
    private struct Use {
        let run: RunSummary
        let datasets: [NodeName]
        let at: EventStamp
        var recipient: String?
    }

    private static func purposes(of uses: [Use], pack: PolicyPack,
                                 categoryKeys: ([NodeName]) -> [String]) -> [Purpose] {
        struct Gathered {
            var bases: Set<String> = [], datasets: Set<NodeName> = [], recipients: Set<String> = [], jobs: Set<String> = [], events: Set<Int> = []
        }
        var gathered: [String: Gathered] = [:]
        for use in uses {
            for purpose in use.run.processing.purposes.isEmpty ? [""] : use.run.processing.purposes {
                var entry = gathered[purpose, default: Gathered()]
                if let basis = use.run.processing.legalBasis { entry.bases.insert(basis) }
                entry.datasets.formUnion(use.datasets)
                if let recipient = use.recipient { entry.recipients.insert(recipient) }
                entry.jobs.insert(use.run.job.name)
                entry.events.insert(use.at.seq)
                gathered[purpose] = entry
            }
        }
        return gathered.keys.sorted().map { key in
            let entry = gathered[key]!
            let resolved = pack.taxonomy.purpose(key)
            let categories = categoryKeys(Array(entry.datasets)).map { Category(key: $0, taxonomy: pack.taxonomy) }
            let retention = pack.retention.periods(forPurpose: key.isEmpty ? nil : key, categories: categories.map(\.key)).map(RetentionEntry.init)
            return Purpose(key: key.isEmpty ? "unstated" : key,
                name: key.isEmpty ? "No purpose stated" : (resolved.isKnown ? resolved.entry!.name : key),
                dpv: resolved.isKnown ? resolved.entry?.dpv : nil, legalBases: entry.bases.sorted(), categories: categories,
                datasets: entry.datasets.sorted().map(\.name), recipients: entry.recipients.sorted(), retentionPeriods: retention,
                jobs: entry.jobs.sorted(), events: entry.events.sorted())
        }
    }

    private static func recipients(of trail: SubjectTrail, pack: PolicyPack) -> [Recipient] {
        let grouped = Dictionary(grouping: trail.disclosures) { $0.recipient }
        return grouped.keys.sorted { ($0.name, $0.role) < ($1.name, $1.role) }.map { recipient in
            let disclosures = grouped[recipient]!.sorted { $0.at < $1.at }.map {
                Disclosure(at: RFC3339.format($0.at.time), event: $0.at.seq, job: $0.run.job.name, purposes: $0.run.processing.purposes,
                    datasets: $0.datasets.map(\.name))
            }
            return Recipient(name: recipient.name, role: recipient.role, country: recipient.country,
                internationalOrganisation: recipient.internationalOrganisation, thirdCountry: recipient.isOutsideEEA(in: pack), disclosures: disclosures)
        }
    }

    /// Art. 15(1)(e), (f) and the rights that depend on the legal basis (Art. 7(3), 20, 21, 22(3)).
    private static func rights(bases: Set<String>, automated: Bool, controller: ControllerFacts?) -> [Right] {
        let authority = controller?.supervisoryAuthority.map { "the supervisory authority, \($0)" } ?? "a supervisory authority"
        return [
            Right(article: "Art. 16", name: "Rectification", statement: "You may have inaccurate personal data corrected and incomplete data completed.", applies: true),
            Right(article: "Art. 17", name: "Erasure", statement: "You may ask for your personal data to be erased where it is no longer needed, consent is withdrawn, or processing is unlawful.", applies: true),
            Right(article: "Art. 18", name: "Restriction", statement: "You may ask for processing to be restricted while accuracy or lawfulness is contested.", applies: true),
            Right(article: "Art. 21", name: "Objection", statement: "You may object to processing based on legitimate interests or a public task, and at any time to direct marketing.",
                applies: !bases.isDisjoint(with: ["legitimate_interests", "public_task"])),
            Right(article: "Art. 20", name: "Portability", statement: "You may receive the data you provided in a structured, machine-readable format, where processing rests on consent or a contract.",
                applies: !bases.isDisjoint(with: ["consent", "contract"])),
            Right(article: "Art. 7(3)", name: "Withdrawal of consent", statement: "You may withdraw your consent at any time; this does not affect processing before the withdrawal.",
                applies: bases.contains("consent")),
            Right(article: "Art. 22(3)", name: "Human intervention", statement: "For decisions based solely on automated processing you may obtain human intervention, express your view and contest the decision.",
                applies: automated),
            Right(article: "Art. 77", name: "Complaint", statement: "You may lodge a complaint with \(authority).", applies: true),
        ]
    }

    private static func diagram(of trail: SubjectTrail) -> LineageDiagram {
        var nodes: [(id: String, label: String, style: String)] = []
        var placed = Set<String>()
        func node(_ id: String, _ label: String, _ style: String) {
            if placed.insert(id).inserted { nodes.append((id, label, style)) }
        }
        var links: [(from: String, to: String)] = []
        for collection in trail.collections {
            guard let source = collection.run.processing.source, source.type != "data_subject" else { continue }
            let id = "source:" + (source.name ?? source.type)
            node(id, source.name ?? source.type.replacingOccurrences(of: "_", with: " "), "source")
            links.append((id, collection.dataset.id))
        }
        for holding in trail.datasets { node(holding.dataset.id, holding.dataset.name, holding.isPresent ? "dataset" : "erased") }
        for carry in trail.carries { links.append((carry.from.id, carry.to.id)) }
        for disclosure in trail.disclosures {
            let id = "recipient:" + disclosure.recipient.name
            node(id, disclosure.recipient.name, "recipient")
            for dataset in disclosure.datasets { links.append((dataset.id, id)) }
        }
        var seen = Set<String>()
        return LineageDiagram(nodes: nodes, links: links.filter { seen.insert($0.from + "\u{1F}" + $0.to).inserted })
    }
}
