import CustodyModel
import Yams

/// Reads policy files, one after another, into the parts of a pack; `finish` then checks what only
/// the whole pack can show (a rule without a test, an adequacy decision for an EEA state, a purpose
/// compatible with one nobody declared) and reports it at the entry that caused it.
struct PackBuilder {
    var taxonomy = Taxonomy()
    var jurisdictions = Jurisdictions()
    var transfers = TransferRules()
    var controller: ControllerFacts?
    var retention = RetentionRules()
    var breachNotificationHours = 72
    private var overlayNamespaceRules: [Jurisdictions.NamespaceRule] = []
    private var builtInNamespaceRules: [Jurisdictions.NamespaceRule] = []
    private var ruleDrafts: [String: RuleDraft] = [:]
    private var ruleOrder: [String] = []
    /// Where each adequacy decision and each purpose's `compatibleWith` was written, for `finish`.
    private var adequacyPlaces: [String: PackError] = [:]
    private var compatibilityPlaces: [String: [(purpose: String, place: PackError)]] = [:]

    /// A rule as the files so far state it: a later file's entry changes the fields it names.
    private struct RuleDraft {
        var check: String?
        var condition: RuleCondition?
        var article: String?
        var severity: Severity?
        var explanation: String?
        var remedy: String?
        var enabled: Bool?
        /// The latest entry that named the rule.
        var place: PackError
    }

    static let sections = "version, categories, purposes, subjectTypes, eea, territories, providerRegions, namespaces, organisations, adequacy, transferBases, controller, retention, holds, breach or rules"

    // MARK: files

    /// Reads one file into the pack. Namespace patterns of the overlay are tried before built-in ones.
    mutating func read(_ text: String, from file: String, isOverlay: Bool) throws(PackError) {
        let reader = YAMLReader(file: file)
        let document = try reader.document(text)
        for (section, keyNode, value) in try reader.mapping(document, what: "a policy file") {
            switch section {
            case "version":
                guard try reader.int(value, what: "version") == 1 else {
                    throw reader.fail(value, "this Custody reads policy files of version 1")
                }
            case "categories":
                for entry in try entries(value, section: section, reader: reader) { taxonomy.categories[entry.key] = entry }
            case "purposes":
                for entry in try entries(value, section: section, reader: reader) { taxonomy.purposes[entry.key] = entry }
            case "subjectTypes":
                for entry in try entries(value, section: section, reader: reader) { taxonomy.subjectTypes[entry.key] = entry }
            case "eea":
                for node in try reader.sequence(value, what: "eea") {
                    jurisdictions.eea.insert(try country(node, reader: reader, what: "an EEA member"))
                }
            case "territories":
                for (_, territoryNode, stateNode) in try reader.mapping(value, what: "territories") {
                    let territory = try country(territoryNode, reader: reader, what: "a territory")
                    jurisdictions.territories[territory] = try country(stateNode, reader: reader, what: "the state a territory belongs to")
                }
            case "providerRegions":
                try readProviderRegions(value, reader: reader)
            case "namespaces":
                let rules = try namespaceRules(value, reader: reader)
                if isOverlay { overlayNamespaceRules += rules } else { builtInNamespaceRules += rules }
            case "organisations":
                try readOrganisations(value, reader: reader)
            case "adequacy":
                try readAdequacy(value, reader: reader)
            case "transferBases":
                for node in try reader.sequence(value, what: "transferBases") { transfers.bases.append(try transferBasis(node, reader: reader)) }
            case "controller":
                controller = try controllerFacts(value, reader: reader)
            case "rules":
                try readRules(value, reader: reader)
            case "retention":
                try readRetention(value, reader: reader)
            case "holds":
                try readHolds(value, reader: reader)
            case "breach":
                for (field, fieldNode, fieldValue) in try reader.mapping(value, what: "breach") {
                    guard field == "notificationHours" else { throw reader.fail(fieldNode, "unknown field '\(field)' in breach; expected notificationHours") }
                    let hours = try reader.int(fieldValue, what: "notificationHours")
                    guard hours > 0 else { throw reader.fail(fieldValue, "notificationHours must be a positive number of hours") }
                    breachNotificationHours = hours
                }
            default:
                throw reader.fail(keyNode, "unknown section '\(section)'; expected \(Self.sections)")
            }
        }
    }

    /// Checks the pack as a whole and hands out its parts.
    mutating func finish() throws(PackError) -> [PolicyRule] {
        jurisdictions.namespaceRules = overlayNamespaceRules + builtInNamespaceRules
        for (jurisdiction, place) in adequacyPlaces.sorted(by: { $0.key < $1.key }) {
            if let country = CountryCode(jurisdiction) {
                guard !jurisdictions.isInEEA(country) else {
                    throw place.saying("\(jurisdiction) is in the EEA, where the GDPR applies: an adequacy decision for it contradicts the eea list")
                }
            } else if transfers.organisations[jurisdiction] == nil {
                throw place.saying("'\(jurisdiction)' is neither an ISO 3166-1 alpha-2 country code nor an organisation of the organisations section")
            }
        }
        for (purpose, list) in compatibilityPlaces.sorted(by: { $0.key < $1.key }) {
            for (other, place) in list where taxonomy.purposes[other] == nil {
                throw place.saying("the purpose \(purpose) is declared compatible with '\(other)', which no purposes section declares")
            }
        }
        return try ruleOrder.map { id throws(PackError) in try rule(id, ruleDrafts[id]!) }
    }

    // MARK: taxonomy

    private mutating func entries(_ node: Node, section: String, reader: YAMLReader) throws(PackError) -> [Taxonomy.Entry] {
        let isCategory = section == "categories"
        var result: [Taxonomy.Entry] = []
        for (key, keyNode, value) in try reader.mapping(node, what: section) {
            guard CustodyVocabulary.isDottedKey(key) else {
                throw reader.fail(keyNode, "'\(key)' is not a dotted key such as user.contact.email")
            }
            var name: String?
            var dpv: String?
            var direct = false
            var special: String?
            var criminal = false
            var compatible: [String] = []
            for (field, fieldNode, fieldValue) in try reader.mapping(value, what: "the entry \(key)") {
                switch field {
                case "name": name = try reader.string(fieldValue, what: "name")
                case "dpv": dpv = try reader.string(fieldValue, what: "dpv")
                case "directIdentifier" where isCategory: direct = try reader.bool(fieldValue, what: "directIdentifier")
                case "criminal" where isCategory: criminal = try reader.bool(fieldValue, what: "criminal")
                case "specialCategory" where isCategory:
                    let value = try reader.string(fieldValue, what: "specialCategory")
                    guard Taxonomy.specialCategories.contains(value) else {
                        throw reader.fail(fieldValue, "'\(value)' is not an Art. 9(1) special category; expected one of \(Taxonomy.specialCategories.sorted().joined(separator: ", "))")
                    }
                    special = value
                case "compatibleWith" where section == "purposes":
                    for item in try reader.sequence(fieldValue, what: "compatibleWith") {
                        let other = try reader.string(item, what: "a purpose")
                        guard CustodyVocabulary.isDottedKey(other) else { throw reader.fail(item, "'\(other)' is not a dotted purpose key") }
                        compatible.append(other)
                        compatibilityPlaces[key, default: []].append((other, reader.fail(item, "")))
                    }
                default:
                    let known = isCategory ? "name, dpv, directIdentifier, specialCategory, criminal"
                        : section == "purposes" ? "name, dpv, compatibleWith" : "name, dpv"
                    throw reader.fail(fieldNode, "unknown field '\(field)' in \(section); expected \(known)")
                }
            }
            guard let name else { throw reader.fail(keyNode, "the entry \(key) needs a name") }
            result.append(Taxonomy.Entry(key: key, name: name, dpv: dpv, directIdentifier: direct, specialCategory: special, criminal: criminal,
                compatibleWith: compatible))
        }
        return result
    }

    // MARK: jurisdictions

    private mutating func readProviderRegions(_ value: Node, reader: YAMLReader) throws(PackError) {
        for (provider, providerNode, regions) in try reader.mapping(value, what: "providerRegions") {
            guard StorageLocation("\(provider):x") != nil else {
                throw reader.fail(providerNode, "'\(provider)' is not a provider name (lower-case letters, digits, - and _)")
            }
            for (region, regionNode, countryNode) in try reader.mapping(regions, what: "the regions of \(provider)") {
                guard StorageLocation("\(provider):\(region)") != nil else {
                    throw reader.fail(regionNode, "'\(region)' is not a region name")
                }
                jurisdictions.providerRegions[provider, default: [:]][region] = try country(countryNode, reader: reader, what: "the country of \(provider):\(region)")
            }
        }
    }

    private func namespaceRules(_ value: Node, reader: YAMLReader) throws(PackError) -> [Jurisdictions.NamespaceRule] {
        var rules: [Jurisdictions.NamespaceRule] = []
        for node in try reader.sequence(value, what: "namespaces") {
            var pattern: String?
            var location: StorageLocation?
            for (field, fieldNode, fieldValue) in try reader.mapping(node, what: "a namespace rule") {
                switch field {
                case "pattern": pattern = try reader.string(fieldValue, what: "pattern")
                case "location": location = try self.location(fieldValue, reader: reader)
                default: throw reader.fail(fieldNode, "unknown field '\(field)' in a namespace rule; expected pattern and location")
                }
            }
            guard let pattern, let location else { throw reader.fail(node, "a namespace rule needs a pattern and a location") }
            rules.append(Jurisdictions.NamespaceRule(pattern: pattern, location: location))
        }
        return rules
    }

    // MARK: Chapter V

    private mutating func readOrganisations(_ value: Node, reader: YAMLReader) throws(PackError) {
        for (id, idNode, entry) in try reader.mapping(value, what: "organisations") {
            guard CountryCode(id) == nil else { throw reader.fail(idNode, "'\(id)' is a country code; an organisation needs an id of its own") }
            var name: String?
            var dpv: String?
            for (field, fieldNode, fieldValue) in try reader.mapping(entry, what: "the organisation \(id)") {
                switch field {
                case "name": name = try reader.string(fieldValue, what: "name")
                case "dpv": dpv = try reader.string(fieldValue, what: "dpv")
                default: throw reader.fail(fieldNode, "unknown field '\(field)' in an organisation; expected name and dpv")
                }
            }
            guard let name else { throw reader.fail(idNode, "the organisation \(id) needs a name") }
            transfers.organisations[id] = InternationalOrganisation(id: id, name: name, dpv: dpv)
        }
    }

    private mutating func readAdequacy(_ value: Node, reader: YAMLReader) throws(PackError) {
        for (jurisdiction, jurisdictionNode, entry) in try reader.mapping(value, what: "adequacy") {
            let jurisdiction = CountryCode(jurisdiction)?.code ?? jurisdiction
            var decision: String?
            var adopted: CalendarDay?
            var validUntil: CalendarDay?
            var status = AdequacyDecision.Status.inForce
            var scope = AdequacyDecision.Scope()
            var notes: String?
            for (field, fieldNode, fieldValue) in try reader.mapping(entry, what: "the adequacy decision for \(jurisdiction)") {
                switch field {
                case "decision": decision = try reader.string(fieldValue, what: "decision")
                case "adopted": adopted = try day(fieldValue, reader: reader, what: "adopted")
                case "validUntil": validUntil = try day(fieldValue, reader: reader, what: "validUntil")
                case "notes": notes = try reader.string(fieldValue, what: "notes")
                case "status":
                    let text = try reader.string(fieldValue, what: "status")
                    guard let parsed = AdequacyDecision.Status(rawValue: text) else {
                        throw reader.fail(fieldValue, "unknown status '\(text)'; expected in_force, under_appeal or repealed")
                    }
                    status = parsed
                case "scope":
                    for (condition, conditionNode, conditionValue) in try reader.mapping(fieldValue, what: "scope") {
                        switch condition {
                        case "recipient.dpfCertified":
                            guard try reader.bool(conditionValue, what: condition) else {
                                throw reader.fail(conditionValue, "recipient.dpfCertified can only be required (true)")
                            }
                            scope.requiresDPFCertification = true
                        case "recipient.regime":
                            scope.regimes = try reader.strings(conditionValue, what: condition)
                        default:
                            throw reader.fail(conditionNode, "unknown scope condition '\(condition)'; expected recipient.dpfCertified or recipient.regime")
                        }
                    }
                default:
                    throw reader.fail(fieldNode, "unknown field '\(field)' in an adequacy decision; expected decision, adopted, validUntil, status, scope or notes")
                }
            }
            guard let decision, let adopted else { throw reader.fail(jurisdictionNode, "the adequacy decision for \(jurisdiction) needs decision and adopted") }
            if let validUntil, validUntil < adopted {
                throw reader.fail(jurisdictionNode, "the adequacy decision for \(jurisdiction) ends (validUntil \(validUntil)) before it was adopted (\(adopted))")
            }
            transfers.adequacy[jurisdiction] = AdequacyDecision(jurisdiction: jurisdiction, decision: decision, adopted: adopted,
                validUntil: validUntil, status: status, scope: scope, notes: notes)
            adequacyPlaces[jurisdiction] = reader.fail(jurisdictionNode, "")
        }
    }

    private func transferBasis(_ node: Node, reader: YAMLReader) throws(PackError) -> TransferBasis {
        var target: TransferBasis.Target?
        var mechanism: String?
        var tiaRef: String?, authorisationRef: String?, notes: String?
        for (field, fieldNode, fieldValue) in try reader.mapping(node, what: "a transfer basis") {
            switch field {
            case "location", "recipient":
                guard target == nil else { throw reader.fail(fieldNode, "a transfer basis is for a location or for a recipient, not both") }
                target = field == "location" ? .location(try location(fieldValue, reader: reader)) : .recipient(try reader.string(fieldValue, what: "recipient"))
            case "mechanism":
                let text = try reader.string(fieldValue, what: "mechanism")
                let isDerogation = text.hasPrefix("derogation:") && CustodyVocabulary.derogations.contains(String(text.dropFirst("derogation:".count)))
                guard isDerogation || (CustodyVocabulary.transferTools.contains(text) && text != "adequacy") else {
                    throw reader.fail(fieldValue, "'\(text)' is not an Art. 46 tool or an Art. 49 derogation; expected one of "
                        + CustodyVocabulary.transferTools.subtracting(["adequacy"]).sorted().joined(separator: ", ") + ", or derogation:<name>"
                        + (text == "adequacy" ? " (adequacy decisions belong to the adequacy section)" : ""))
                }
                mechanism = text
            case "tiaRef": tiaRef = try reader.string(fieldValue, what: "tiaRef")
            case "authorisationRef": authorisationRef = try reader.string(fieldValue, what: "authorisationRef")
            case "notes": notes = try reader.string(fieldValue, what: "notes")
            default:
                throw reader.fail(fieldNode, "unknown field '\(field)' in a transfer basis; expected location or recipient, mechanism, tiaRef, authorisationRef, notes")
            }
        }
        guard let target, let mechanism else { throw reader.fail(node, "a transfer basis needs a location or a recipient, and a mechanism") }
        return TransferBasis(target: target, mechanism: mechanism, tiaRef: tiaRef, authorisationRef: authorisationRef, notes: notes)
    }

    private func controllerFacts(_ value: Node, reader: YAMLReader) throws(PackError) -> ControllerFacts {
        var fields: [String: String] = [:]
        var recipients: [String] = []
        let known = ["name", "contact", "country", "dpo", "representative", "supervisoryAuthority", "securityMeasures", "recipients"]
        for (field, fieldNode, fieldValue) in try reader.mapping(value, what: "controller") {
            guard known.contains(field) else { throw reader.fail(fieldNode, "unknown field '\(field)' in controller; expected \(known.joined(separator: ", "))") }
            if field == "recipients" {
                recipients = try reader.strings(fieldValue, what: field)
            } else {
                fields[field] = try reader.string(fieldValue, what: field)
            }
        }
        if let country = fields["country"], CountryCode(country) == nil { throw reader.fail(value, "the controller's country '\(country)' is not an ISO 3166-1 alpha-2 code") }
        guard let name = fields["name"] else { throw reader.fail(value, "controller needs a name") }
        return ControllerFacts(name: name, contact: fields["contact"], country: fields["country"], dpo: fields["dpo"],
            representative: fields["representative"], supervisoryAuthority: fields["supervisoryAuthority"],
            securityMeasures: fields["securityMeasures"], recipients: recipients)
    }

    // MARK: retention

    private mutating func readRetention(_ value: Node, reader: YAMLReader) throws(PackError) {
        for (field, fieldNode, fieldValue) in try reader.mapping(value, what: "retention") {
            switch field {
            case "warning": retention.warning = try duration(fieldValue, reader: reader, what: "warning")
            case "periods":
                for (id, idNode, entry) in try reader.mapping(fieldValue, what: "periods") {
                    guard Self.isRuleID(id) else { throw reader.fail(idNode, "'\(id)' is not an id (lower-case letters, digits and -)") }
                    var purposes: [String]?, categories: [String]?, period: ISO8601Duration?, notes: String?
                    var clock = RetentionPeriod.Clock.firstWrite
                    for (key, keyNode, item) in try reader.mapping(entry, what: "the retention period \(id)") {
                        switch key {
                        case "purposes": purposes = try dottedKeys(item, reader: reader, what: "purposes")
                        case "categories": categories = try dottedKeys(item, reader: reader, what: "categories")
                        case "period": period = try duration(item, reader: reader, what: "period")
                        case "notes": notes = try reader.string(item, what: "notes")
                        case "from":
                            let text = try reader.string(item, what: "from")
                            guard let parsed = RetentionPeriod.Clock(rawValue: text) else {
                                throw reader.fail(item, "a retention period counts from firstWrite or presence, not '\(text)'"
                                    + (text.hasPrefix("signal:") ? " (clocks started by a named signal are not supported yet)" : ""))
                            }
                            clock = parsed
                        default:
                            throw reader.fail(keyNode, "unknown field '\(key)' in a retention period; expected purposes, categories, period, from, notes")
                        }
                    }
                    guard let period else { throw reader.fail(idNode, "the retention period \(id) needs a period such as P2Y") }
                    guard purposes != nil || categories != nil else {
                        throw reader.fail(idNode, "the retention period \(id) needs purposes or categories to apply to")
                    }
                    retention.periods.removeAll { $0.id == id }
                    retention.periods.append(RetentionPeriod(id: id, purposes: purposes, categories: categories, period: period, clock: clock, notes: notes))
                }
            default:
                throw reader.fail(fieldNode, "unknown field '\(field)' in retention; expected warning and periods")
            }
        }
    }

    private mutating func readHolds(_ value: Node, reader: YAMLReader) throws(PackError) {
        for (id, idNode, entry) in try reader.mapping(value, what: "holds") {
            guard Self.isRuleID(id) else { throw reader.fail(idNode, "'\(id)' is not an id (lower-case letters, digits and -)") }
            var ground: String?, datasets: [String] = [], reason: String?
            for (key, keyNode, item) in try reader.mapping(entry, what: "the hold \(id)") {
                switch key {
                case "ground":
                    let text = try reader.string(item, what: "ground")
                    guard RetentionHold.grounds[text] != nil else {
                        throw reader.fail(item, "'\(text)' is not an Art. 17(3) ground; expected one of \(RetentionHold.grounds.keys.sorted().joined(separator: ", "))")
                    }
                    ground = text
                case "datasets":
                    datasets = try reader.strings(item, what: "datasets")
                    if let bad = datasets.first(where: { !$0.hasPrefix("dataset:") }) {
                        throw reader.fail(item, "'\(bad)' is not a dataset pattern: write a node id, dataset:<namespace>:<name>, with * for any run of characters")
                    }
                case "reason": reason = try reader.string(item, what: "reason")
                default: throw reader.fail(keyNode, "unknown field '\(key)' in a hold; expected ground, datasets, reason")
                }
            }
            guard let ground, let reason, !datasets.isEmpty else { throw reader.fail(idNode, "the hold \(id) needs a ground, datasets and a reason") }
            retention.holds.removeAll { $0.id == id }
            retention.holds.append(RetentionHold(id: id, ground: ground, datasets: datasets, reason: reason))
        }
    }

    private func duration(_ node: Node, reader: YAMLReader, what: String) throws(PackError) -> ISO8601Duration {
        let text = try reader.string(node, what: what)
        guard let duration = ISO8601Duration(text) else { throw reader.fail(node, "\(what) must be an ISO 8601 duration such as P30D or P2Y, not '\(text)'") }
        return duration
    }

    private func dottedKeys(_ node: Node, reader: YAMLReader, what: String) throws(PackError) -> [String] {
        let keys = try reader.strings(node, what: what)
        if let bad = keys.first(where: { !CustodyVocabulary.isDottedKey($0) }) { throw reader.fail(node, "'\(bad)' is not a dotted key") }
        return keys
    }

    // MARK: rules

    private mutating func readRules(_ value: Node, reader: YAMLReader) throws(PackError) {
        for (id, idNode, entry) in try reader.mapping(value, what: "rules") {
            guard Self.isRuleID(id) else { throw reader.fail(idNode, "'\(id)' is not a rule id (lower-case letters, digits and -)") }
            var draft = ruleDrafts[id] ?? RuleDraft(place: reader.fail(idNode, ""))
            draft.place = reader.fail(idNode, "")
            for (field, fieldNode, fieldValue) in try reader.mapping(entry, what: "the rule \(id)") {
                switch field {
                case "check":
                    let check = try reader.string(fieldValue, what: "check")
                    guard PolicyRule.builtInChecks.contains(check) else {
                        throw reader.fail(fieldValue, "'\(check)' is not a check of the engine; expected one of \(PolicyRule.builtInChecks.sorted().joined(separator: ", ")), or write a when condition")
                    }
                    draft.check = check
                case "when": draft.condition = try condition(fieldValue, reader: reader)
                case "article": draft.article = try reader.string(fieldValue, what: "article")
                case "explanation": draft.explanation = try reader.string(fieldValue, what: "explanation")
                case "remedy": draft.remedy = try reader.string(fieldValue, what: "remedy")
                case "enabled": draft.enabled = try reader.bool(fieldValue, what: "enabled")
                case "severity":
                    let text = try reader.string(fieldValue, what: "severity")
                    guard let severity = Severity(rawValue: text) else { throw reader.fail(fieldValue, "unknown severity '\(text)'; expected violation, warning or info") }
                    draft.severity = severity
                default:
                    throw reader.fail(fieldNode, "unknown field '\(field)' in a rule; expected check or when, article, severity, explanation, remedy, enabled")
                }
            }
            if draft.check != nil && draft.condition != nil {
                throw reader.fail(idNode, "the rule \(id) has both a built-in check and a when condition; give a rule of your own another id")
            }
            if ruleDrafts[id] == nil { ruleOrder.append(id) }
            ruleDrafts[id] = draft
        }
    }

    private func rule(_ id: String, _ draft: RuleDraft) throws(PackError) -> PolicyRule {
        let test: PolicyRule.Test
        if let check = draft.check { test = .builtIn(check) } else if let condition = draft.condition { test = .condition(condition) } else {
            throw draft.place.saying("the rule \(id) needs a check or a when condition (no file defines the rule itself)")
        }
        guard let article = draft.article, let severity = draft.severity, let explanation = draft.explanation, let remedy = draft.remedy else {
            throw draft.place.saying("the rule \(id) needs article, severity, explanation and remedy")
        }
        return PolicyRule(id: id, test: test, article: article, severity: severity, explanation: explanation, remedy: remedy,
            enabled: draft.enabled ?? true)
    }

    private func condition(_ value: Node, reader: YAMLReader) throws(PackError) -> RuleCondition {
        let targets = try reader.mapping(value, what: "when")
        guard targets.count == 1, let (targetName, _, fields) = targets.first,
            let target = RuleCondition.Target(rawValue: targetName)
        else { throw reader.fail(value, "when holds one of run or dataset, with its conditions under it") }
        var condition = RuleCondition(target: target)
        let runOnly: Set = ["operation", "purposes", "legalBasis", "recipientCountry", "completed"]
        let datasetOnly: Set = ["country", "subjectTypes"]
        func keys(_ node: Node, _ what: String) throws(PackError) -> [String] { try reader.strings(node, what: what) }
        for (field, fieldNode, fieldValue) in try reader.mapping(fields, what: "the \(targetName) conditions") {
            if target == .dataset && runOnly.contains(field) || target == .run && datasetOnly.contains(field) {
                throw reader.fail(fieldNode, "'\(field)' is a condition on a \(target == .run ? "dataset" : "run"), not on a \(targetName)")
            }
            switch field {
            case "operation":
                let values = try keys(fieldValue, field)
                if let bad = values.first(where: { !CustodyVocabulary.operations.contains($0) }) {
                    throw reader.fail(fieldValue, "unknown operation '\(bad)'; expected one of \(CustodyVocabulary.operations.sorted().joined(separator: ", "))")
                }
                condition.operations = values
            case "legalBasis":
                let values = try keys(fieldValue, field)
                if let bad = values.first(where: { $0 != "none" && !CustodyVocabulary.legalBases.contains($0) }) {
                    throw reader.fail(fieldValue, "unknown legal basis '\(bad)'; expected one of \(CustodyVocabulary.legalBases.sorted().joined(separator: ", ")), or none")
                }
                condition.legalBases = values
            case "purposes", "categories", "subjectTypes":
                let values = try dottedKeys(fieldValue, reader: reader, what: field)
                if field == "purposes" { condition.purposes = values } else if field == "categories" { condition.categories = values } else { condition.subjectTypes = values }
            case "recipientCountry", "country":
                let values = try keys(fieldValue, field)
                if let bad = values.first(where: { CountryCode($0) == nil && !(field == "recipientCountry" && $0.allSatisfy(\.isUppercase)) }) {
                    throw reader.fail(fieldValue, "'\(bad)' is not an ISO 3166-1 alpha-2 country code")
                }
                if field == "country" { condition.countries = values.compactMap { CountryCode($0)?.code } } else {
                    condition.recipientCountries = values.map { CountryCode($0)?.code ?? $0 }
                }
            case "outsideEEA": condition.outsideEEA = try reader.bool(fieldValue, what: field)
            case "completed": condition.completed = try reader.bool(fieldValue, what: field)
            default:
                throw reader.fail(fieldNode, "unknown condition '\(field)'; a run takes operation, purposes, legalBasis, categories, recipientCountry, outsideEEA, completed; a dataset takes categories, country, outsideEEA, subjectTypes")
            }
        }
        return condition
    }

    static func isRuleID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
        }
    }

    // MARK: values

    private func country(_ node: Node, reader: YAMLReader, what: String) throws(PackError) -> CountryCode {
        let text = try reader.string(node, what: what)
        guard let country = CountryCode(text) else {
            throw reader.fail(node, "'\(text)' is not an ISO 3166-1 alpha-2 country code (\(what))")
        }
        return country
    }

    private func location(_ node: Node, reader: YAMLReader) throws(PackError) -> StorageLocation {
        let text = try reader.string(node, what: "location")
        guard let parsed = StorageLocation(text) else { throw reader.fail(node, "'\(text)' is neither a country code nor provider:region") }
        return parsed
    }

    private func day(_ node: Node, reader: YAMLReader, what: String) throws(PackError) -> CalendarDay {
        let text = try reader.string(node, what: what)
        guard let day = CalendarDay(text) else { throw reader.fail(node, "\(what) must be a date such as 2023-07-10, not '\(text)'") }
        return day
    }
}

extension PackError {
    /// The same place, another message: for problems found only once the whole pack is read.
    func saying(_ message: String) -> PackError {
        PackError(file: file, line: line, column: column, message: message)
    }
}
