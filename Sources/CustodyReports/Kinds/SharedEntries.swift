import CustodyModel
import CustodyPack

// How the reports describe what the pack knows, in one place: a category, the controller, a retention period.

extension DSARReport.Category {
    /// A category as the taxonomy names it; an unknown key stands for itself.
    init(key: String, taxonomy: Taxonomy) {
        let resolved = taxonomy.category(key)
        self.init(key: key, name: resolved.isKnown ? resolved.entry!.name : key, dpv: resolved.isKnown ? resolved.entry?.dpv : nil,
            specialCategory: resolved.specialCategory, criminal: resolved.criminal)
    }
}

extension DSARReport.ControllerEntry {
    init(_ facts: ControllerFacts) {
        self.init(name: facts.name, contact: facts.contact, country: facts.country, dpo: facts.dpo, representative: facts.representative,
            supervisoryAuthority: facts.supervisoryAuthority)
    }
}

extension DSARReport.RetentionEntry {
    init(_ period: RetentionPeriod) {
        self.init(rule: period.id, period: period.period.description, clock: period.clock.rawValue, notes: period.notes)
    }
}
