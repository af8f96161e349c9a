public import CustodyLineage
import CustodyModel
public import CustodyPack

extension PolicyEngine {
    /// Every movement of one person's data out of the EEA that the trail shows, judged in the Chapter V
    /// order: disclosures to recipients in third countries or international organisations, and storage in
    /// a third country. Data that stays in the third country it was already in is no new transfer.
    public func transfers(in trail: SubjectTrail) -> [PersonalTransfer] {
        let assessor = TransferAssessor(pack: pack)
        let locations = Dictionary(trail.datasets.map { ($0.dataset, $0.location) }, uniquingKeysWith: { first, _ in first })
        var transfers: [PersonalTransfer] = []
        for disclosure in trail.disclosures {
            let recipient = disclosure.recipient
            guard recipient.isOutsideEEA(in: pack) else { continue }
            let country = recipient.country.flatMap(CountryCode.init)
            let processing = disclosure.run.processing
            let movement = TransferAssessor.Movement(country: country, organisation: recipient.internationalOrganisation, recipient: recipient,
                mechanism: processing.transferMechanism, publicAuthority: processing.controller?.publicAuthority ?? false, at: disclosure.at.time)
            transfers.append(PersonalTransfer(datasets: disclosure.datasets, recipient: recipient, at: disclosure.at, run: disclosure.run,
                assessment: assessor.assess(movement)))
        }
        let disclosedBy = Set(transfers.compactMap { $0.run?.runID })
        for holding in trail.datasets {
            guard let country = holding.location.country, holding.location.inEEA == false else { continue }
            for period in holding.periods {
                // A disclosure already judged carries the recipient's storage with it.
                if let run = period.run, disclosedBy.contains(run.runID) { continue }
                var onwardFrom: [String] = []
                if let from = period.from, let source = locations[from], let sourceCountry = source.country, source.inEEA == false {
                    if sourceCountry == country { continue }
                    onwardFrom = [sourceCountry.code]
                }
                let processing = period.run?.processing
                let movement = TransferAssessor.Movement(country: country, location: holding.location.text.flatMap(StorageLocation.init),
                    mechanism: processing?.transferMechanism, publicAuthority: processing?.controller?.publicAuthority ?? false,
                    onwardFrom: onwardFrom, at: period.since.time)
                transfers.append(PersonalTransfer(datasets: [holding.dataset], recipient: nil, at: period.since, run: period.run,
                    assessment: assessor.assess(movement)))
            }
        }
        return transfers.sorted { $0.at < $1.at }
    }
}

extension Processing.Recipient {
    /// Whether data disclosed to this recipient leaves the EEA: an international organisation, or a
    /// recipient in a country outside it (a recipient of unknown country is not counted as outside).
    public func isOutsideEEA(in pack: PolicyPack) -> Bool {
        internationalOrganisation != nil || country.flatMap(CountryCode.init).map { !pack.jurisdictions.isInEEA($0) } == true
    }
}
