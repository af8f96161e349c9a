public import CustodyLineage
public import CustodyLog
import CustodyModel
import CustodyPack
import CustodyPolicy
import Crypto
import Foundation

/// The lineage as a W3C PROV-XML document (`custody export prov`): datasets are entities, runs are
/// activities, jobs are software agents acting for their controller, recipients are organisations the
/// copies they received are attributed to; purposes, legal bases and categories carry their DPV terms.
/// Written as a stream and validated against the W3C PROV schema before it is moved into place.
public struct ProvExport: Sendable {
    let entities: [Entity]
    let activities: [Activity]
    let agents: [Agent]
    let relations: [Relation]
    /// For the DPV terms of purposes, written with the activities.
    private let pack: PolicyPack

    struct Entity: Sendable {
        let id: String
        let name: NodeName
        let location: String?
        let personal: Bool
        let categories: [(key: String, dpv: String?)]
    }

    struct Activity: Sendable {
        let id: String
        let run: RunSummary
    }

    struct Agent: Sendable {
        let id: String
        let element: String
        let label: String
        let types: [String]
    }

    enum Relation: Sendable {
        case used(activity: String, entity: String, time: String?)
        case generated(entity: String, activity: String, time: String?)
        case derived(generated: String, used: String, activity: String)
        case associated(activity: String, agent: String)
        case delegated(delegate: String, responsible: String)
        case attributed(entity: String, agent: String)
        case invalidated(entity: String, activity: String?, time: String)
    }

    /// The whole store at the view's horizon. Custody's own records (retention plans, erasure requests)
    /// are bookkeeping about processing, not processing, so they are not activities here (as in the RoPA).
    public init(lineage: CustodyLineage.Lineage) throws {
        let (runs, datasets) = try lineage.runsAndDatasets()
        self.init(runs: runs.filter { !CustodyRecord.jobs.contains($0.summary.job) }, datasets: datasets, pack: lineage.pack)
    }

    /// One person's trail: the datasets that hold or held their data and the runs that moved, disclosed or
    /// consulted it.
    public init(lineage: CustodyLineage.Lineage, subject identifiers: [String], vaultKey: VaultKey) throws {
        let parsed = identifiers.compactMap(SubjectIdentifier.init)
        guard parsed.count == identifiers.count, !parsed.isEmpty else {
            throw ReportError(.badInput, "'\(identifiers.first { SubjectIdentifier($0) == nil } ?? "")' is not a subject identifier")
        }
        let trail = try lineage.subject(parsed, vaultKey: vaultKey)
        var runIDs = Set(trail.datasets.flatMap { $0.periods.compactMap(\.run?.runID) })
        runIDs.formUnion(trail.disclosures.map(\.run.runID))
        runIDs.formUnion(trail.consultations.map(\.run.runID))
        let held = Set(trail.datasets.map(\.dataset))
        let (allRuns, allDatasets) = try lineage.runsAndDatasets()
        let runs = allRuns.filter { runIDs.contains($0.summary.runID) }.map { $0.restricted(to: held.contains) }
        self.init(runs: runs, datasets: allDatasets.filter { held.contains($0.dataset) }, pack: lineage.pack)
    }

    private init(runs: [RunOverview], datasets: [DatasetProfile], pack: PolicyPack) {
        func id(_ kind: String, _ text: String) -> String {
            let digest = SHA256.hash(data: Data(text.utf8)).prefix(10).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
            return "custody:\(kind)-\(digest)"
        }
        let profiles = Dictionary(datasets.map { ($0.dataset, $0) }, uniquingKeysWith: { first, _ in first })
        var entityIDs: [NodeName: String] = [:]
        var entities: [Entity] = []
        func entity(_ name: NodeName) -> String {
            if let known = entityIDs[name] { return known }
            let profile = profiles[name]
            let identifier = id("dataset", name.id)
            entityIDs[name] = identifier
            entities.append(Entity(id: identifier, name: name, location: profile?.location.country?.code ?? profile?.location.text,
                personal: !(profile?.categories.isEmpty ?? true),
                categories: (profile?.categories ?? []).map { ($0.key, ProvVocabulary.term(pack.taxonomy.category($0.key).entry?.dpv)) }))
            return identifier
        }
        for dataset in datasets.sorted(by: { $0.dataset < $1.dataset }) { _ = entity(dataset.dataset) }

        var agents: [String: Agent] = [:]
        var relations: [Relation] = []
        var activities: [Activity] = []
        var delegations: Set<String> = []
        for run in runs.sorted(by: { ($0.summary.started, $0.summary.runID) < ($1.summary.started, $1.summary.runID) }) {
            let summary = run.summary
            let activity = "custody:run-" + summary.runID.filter { $0.isLetter || $0.isNumber || $0 == "-" }
            activities.append(Activity(id: activity, run: summary))
            let completed = summary.completed.map { RFC3339.format($0.time) }
            for input in run.inputs { relations.append(.used(activity: activity, entity: entity(input), time: RFC3339.format(summary.started.time))) }
            if summary.completed != nil {
                for output in run.outputs {
                    let generated = entity(output)
                    relations.append(.generated(entity: generated, activity: activity, time: completed))
                    if summary.processing.carriesSubjects {
                        for input in run.inputs where input != output {
                            relations.append(.derived(generated: generated, used: entity(input), activity: activity))
                        }
                    }
                }
            }
            let job = id("job", summary.job.id)
            agents[job] = Agent(id: job, element: "prov:softwareAgent", label: summary.job.id, types: [])
            relations.append(.associated(activity: activity, agent: job))
            if let controller = summary.processing.controller {
                let organisation = id("organisation", controller.name)
                agents[organisation] = Agent(id: organisation, element: "prov:organization", label: controller.name, types: ["dpv:DataController"])
                if delegations.insert(job + " " + organisation).inserted { relations.append(.delegated(delegate: job, responsible: organisation)) }
            }
            if let recipient = summary.processing.recipient, summary.processing.disclosesData, summary.completed != nil {
                let organisation = id("organisation", recipient.name)
                let types = Array(Set([ProvVocabulary.recipientRole(recipient.role), "dpv:Recipient"])).sorted()
                agents[organisation] = Agent(id: organisation, element: "prov:organization", label: recipient.name, types: types)
                let received = summary.processing.operation == "access" ? run.inputs : run.outputs
                for dataset in received { relations.append(.attributed(entity: entity(dataset), agent: organisation)) }
            }
        }
        let activityOfRun = Dictionary(activities.map { ($0.run.runID, $0.id) }, uniquingKeysWith: { first, _ in first })
        for dataset in datasets.sorted(by: { $0.dataset < $1.dataset }) {
            for clear in dataset.clears {
                relations.append(.invalidated(entity: entity(dataset.dataset), activity: clear.run.flatMap { activityOfRun[$0.runID] },
                    time: RFC3339.format(clear.at.time)))
            }
        }
        self.entities = entities
        self.activities = activities
        self.agents = agents.keys.sorted().map { agents[$0]! }
        self.relations = relations
        self.pack = pack
    }

    /// Writes the document to `path`, all or nothing, once it validates against the W3C PROV schema.
    public func write(to path: String) throws {
        try ReportFile.write(to: path) { temporary in
            try XMLSchemaValidator(schema: .files(ReportResources.provSchemas, entry: "prov.xsd"), schemaName: "the W3C PROV-XML schema (prov.xsd)")
                .writeDocument(at: temporary) { xml in try writeDocument(to: xml) }
        }
    }

    private func writeDocument(to xml: XMLStream) throws {
        try xml.start("prov:document")
        for (prefix, uri) in ProvVocabulary.namespaces { try xml.attribute("xmlns:" + prefix, uri) }
        func qname(_ element: String, _ value: String) throws {
            try xml.start(element)
            try xml.attribute("xsi:type", "xsd:QName")
            try xml.text(value)
            try xml.end()
        }
        func ref(_ element: String, _ id: String) throws {
            try xml.start(element)
            try xml.attribute("prov:ref", id)
            try xml.end()
        }
        for entity in entities {
            try xml.start("prov:entity")
            try xml.attribute("prov:id", entity.id)
            try xml.element("prov:label", entity.name.name)
            if let location = entity.location {
                try xml.start("prov:location")
                try xml.attribute("xsi:type", "xsd:string")
                try xml.text(location)
                try xml.end()
            }
            if entity.personal { try qname("prov:type", "dpv:PersonalData") }
            for category in entity.categories {
                if let term = category.dpv { try qname("dpv:hasPersonalData", term) }
            }
            try xml.element("custody:namespace", entity.name.namespace)
            try xml.element("custody:name", entity.name.name)
            for category in entity.categories { try xml.element("custody:category", category.key) }
            try xml.end()
        }
        for agent in agents {
            try xml.start(agent.element)
            try xml.attribute("prov:id", agent.id)
            try xml.element("prov:label", agent.label)
            for type in agent.types { try qname("prov:type", type) }
            try xml.end()
        }
        for activity in activities {
            let run = activity.run, processing = run.processing
            try xml.start("prov:activity")
            try xml.attribute("prov:id", activity.id)
            try xml.element("prov:startTime", RFC3339.format(run.started.time))
            if let completed = run.completed { try xml.element("prov:endTime", RFC3339.format(completed.time)) }
            try xml.element("prov:label", run.job.name)
            try qname("prov:type", ProvVocabulary.processing(processing.operation))
            if processing.automatedDecision != nil { try qname("prov:type", "dpv:AutomatedDecisionMaking") }
            for purpose in processing.purposes {
                if let term = ProvVocabulary.term(pack.taxonomy.purpose(purpose).entry?.dpv) { try qname("dpv:hasPurpose", term) }
            }
            if let basis = processing.legalBasis.flatMap(ProvVocabulary.legalBasis) { try qname("dpv:hasLegalBasis", basis) }
            try xml.element("custody:runId", run.runID)
            try xml.element("custody:state", run.state)
            try xml.element("custody:operation", processing.operation)
            for purpose in processing.purposes { try xml.element("custody:purpose", purpose) }
            if let basis = processing.legalBasis { try xml.element("custody:legalBasis", basis) }
            if let mechanism = processing.transferMechanism { try xml.element("custody:transferMechanism", mechanism.type) }
            for event in run.events { try xml.element("custody:event", String(event)) }
            try xml.end()
        }
        for relation in relations {
            switch relation {
            case .used(let activity, let entity, let time):
                try xml.start("prov:used")
                try ref("prov:activity", activity)
                try ref("prov:entity", entity)
                if let time { try xml.element("prov:time", time) }
            case .generated(let entity, let activity, let time):
                try xml.start("prov:wasGeneratedBy")
                try ref("prov:entity", entity)
                try ref("prov:activity", activity)
                if let time { try xml.element("prov:time", time) }
            case .derived(let generated, let used, let activity):
                try xml.start("prov:wasDerivedFrom")
                try ref("prov:generatedEntity", generated)
                try ref("prov:usedEntity", used)
                try ref("prov:activity", activity)
            case .associated(let activity, let agent):
                try xml.start("prov:wasAssociatedWith")
                try ref("prov:activity", activity)
                try ref("prov:agent", agent)
            case .delegated(let delegate, let responsible):
                try xml.start("prov:actedOnBehalfOf")
                try ref("prov:delegate", delegate)
                try ref("prov:responsible", responsible)
            case .attributed(let entity, let agent):
                try xml.start("prov:wasAttributedTo")
                try ref("prov:entity", entity)
                try ref("prov:agent", agent)
            case .invalidated(let entity, let activity, let time):
                try xml.start("prov:wasInvalidatedBy")
                try ref("prov:entity", entity)
                if let activity { try ref("prov:activity", activity) }
                try xml.element("prov:time", time)
            }
            try xml.end()
        }
        try xml.end()
    }
}
