import ArgumentParser
import CustodyModel

/// Checks that several commands make of their options at parse time, so a bad value is exit 2 with one
/// wording wherever it is given.
enum OptionChecks {
    /// Rejects an identifier that is empty once normalised, naming which one (`option`: where it was given).
    static func identifiers(_ identifiers: [String], option: String? = nil) throws {
        for (index, identifier) in identifiers.enumerated() where SubjectIdentifier(identifier) == nil {
            let place = option.map { " of \($0)" } ?? ""
            throw ValidationError("identifier \(index + 1)\(place) is empty once normalised (a phone number needs digits)")
        }
    }

    /// Rejects a time that is neither RFC 3339 nor a date (`ReportTime.startOf`).
    static func time(_ value: String?, option: String) throws {
        if let value, ReportTime.startOf(value) == nil {
            throw ValidationError("\(option) '\(value)' is neither an RFC 3339 time (2026-03-01T10:05:00Z) nor a date (2026-03-01)")
        }
    }
}
