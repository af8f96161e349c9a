import CustodyModel
import Foundation
import Testing

/// Event times as producers write them: RFC 3339 with its allowed spellings, read the same.
struct RFC3339Tests {
    @Test func everyAllowedSpellingOfOneInstantIsThatInstant() throws {
        let instant = Date(timeIntervalSince1970: 1_772_359_500)  // 2026-03-01T10:05:00Z
        for text in ["2026-03-01T10:05:00Z", "2026-03-01t10:05:00z", "2026-03-01 10:05:00Z", "2026-03-01T12:05:00+02:00",
                     "2026-03-01T04:35:00-05:30", "2026-03-01T10:05:00"] {
            let parsed = try #require(RFC3339.parse(text), "\(text)")
            #expect(parsed.date == instant, "\(text)")
            #expect(parsed.hadOffset == (text != "2026-03-01T10:05:00"), "\(text)")
        }
        #expect(RFC3339.parse("2026-03-01T10:05:00.250Z")?.date == instant.addingTimeInterval(0.25))
    }

    @Test func whatIsNotSuchATimeIsRefused() {
        for text in ["2026-03-01_10:05:00Z", "2026/03/01T10:05:00Z", "2026-03-01T10-05:00Z", "2026-03-01T10:05:00X", "2026-03-01T10:05:00+0200",
                     "2026-02-30T10:05:00Z", "2026-03-01T24:00:00Z", "2026-03-01T10:05:00Z ", "2026-03-01T10:05:00.Z", ""] {
            #expect(RFC3339.parse(text) == nil, "\(text)")
        }
    }
}
