public import Foundation

/// A Commission adequacy decision (Art. 45) for a country or an international organisation, with the
/// scope it is limited to.
public struct AdequacyDecision: Sendable, Equatable {
    /// `in_force`, `under_appeal` (still in force) or `repealed`.
    public enum Status: String, Sendable, CaseIterable {
        case inForce = "in_force"
        case underAppeal = "under_appeal"
        case repealed
    }

    /// What a recipient must show for the decision to cover a transfer to it. Empty: every transfer.
    public struct Scope: Sendable, Equatable {
        /// The recipient is on the EU-US Data Privacy Framework list.
        public var requiresDPFCertification = false
        /// The recipient is under one of these laws (`PIPEDA`, `APPI`).
        public var regimes: [String] = []

        public var isGeneral: Bool { !requiresDPFCertification && regimes.isEmpty }

        /// Why a transfer to a recipient with these attributes falls outside the scope, or `nil` when it
        /// is inside. `hasRecipient` false: storage with nobody named, which a scope cannot cover.
        public func gap(hasRecipient: Bool, dpfCertified: Bool?, regime: String?) -> String? {
            if isGeneral { return nil }
            guard hasRecipient else { return "the decision covers only recipients that \(requirement), and no recipient is named" }
            if requiresDPFCertification && dpfCertified != true { return "the decision covers only recipients certified under the Data Privacy Framework" }
            if !regimes.isEmpty && !regimes.contains(regime ?? "") {
                return "the decision covers only recipients under \(regimes.joined(separator: " or "))"
            }
            return nil
        }

        private var requirement: String {
            var parts: [String] = []
            if requiresDPFCertification { parts.append("are certified under the Data Privacy Framework") }
            if !regimes.isEmpty { parts.append("are under \(regimes.joined(separator: " or "))") }
            return parts.joined(separator: " and ")
        }
    }

    /// The country code (`US`) or the international organisation's id (`EPO`).
    public let jurisdiction: String
    public let decision: String
    public let adopted: CalendarDay
    public let validUntil: CalendarDay?
    public let status: Status
    public let scope: Scope
    public let notes: String?

    /// In force at `date`: adopted by then, not repealed, not past `validUntil`.
    public func isInForce(at date: Date) -> Bool {
        status != .repealed && adopted.start <= date && (validUntil.map { date <= $0.end } ?? true)
    }
}
