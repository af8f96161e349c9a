import CustodyModel
import Foundation
import Testing

/// One person must map to one vault entry whatever spelling a producer used.
struct SubjectIdentifierTests {
    @Test(arguments: [
        ("Alice@Example.com", "email:alice@example.com"),
        ("email:alice@example.com", "email:alice@example.com"),
        ("  EMAIL: Alice@Example.COM ", "email:alice@example.com"),
        ("phone:+49 (30) 123-4567", "phone:+49301234567"),
        ("tel:+49 30 1234567", "phone:+49301234567"),
        ("cust-1001", "cust-1001"),
        ("  cust-1001\n", "cust-1001"),
        ("crm:Cust-1001", "crm:Cust-1001"),
        ("Jose\u{301}", "Jos\u{e9}"),
    ])
    func normalises(raw: String, expected: String) throws {
        #expect(try #require(SubjectIdentifier(raw)).normalized == expected)
    }

    @Test(arguments: ["", "   ", "phone:+", "email:", "phone:abc"])
    func rejectsIdentifiersWithNothingLeft(raw: String) {
        #expect(SubjectIdentifier(raw) == nil)
    }
}

struct LocationAndTimeTests {
    @Test(arguments: [("DE", "DE"), ("UK", "GB"), ("EL", "GR"), ("aws:eu-west-1", "aws:eu-west-1"), ("gcp:us-central1", "gcp:us-central1"), ("azure:westeurope", "azure:westeurope")])
    func acceptsCountriesAndProviderRegions(text: String, expected: String) throws {
        #expect(try #require(StorageLocation(text)).description == expected)
    }

    @Test(arguments: ["XX", "de", "Germany", "aws:", ":eu-west-1", "aws eu-west-1", "AWS:eu-west-1", ""])
    func rejectsOtherLocations(text: String) {
        #expect(StorageLocation(text) == nil)
    }

    @Test func countryListIsTheAssignedAlpha2Set() {
        #expect(CountryCode("US") != nil && CountryCode("AQ") != nil && CountryCode("XK") == nil && CountryCode("EU") == nil)
    }

    @Test(arguments: [
        ("2026-03-01T10:05:00Z", 1_772_359_500.0, true),
        ("2026-03-01T12:05:00+02:00", 1_772_359_500.0, true),
        ("2026-03-01T10:05:00.250Z", 1_772_359_500.25, true),
        ("2026-03-01T10:05:00", 1_772_359_500.0, false),
        ("2024-02-29T00:00:00Z", 1_709_164_800.0, true),
    ])
    func parsesRFC3339(text: String, seconds: Double, hadOffset: Bool) throws {
        let parsed = try #require(RFC3339.parse(text))
        #expect(parsed.date.timeIntervalSince1970 == seconds)
        #expect(parsed.hadOffset == hadOffset)
    }

    @Test(arguments: ["2026-02-30T10:00:00Z", "2026-13-01T00:00:00Z", "2026-03-01", "yesterday", "2026-03-01T25:00:00Z", "2026-03-01T10:05:00+2:00", "2026-03-01T10:05:00ZZ"])
    func rejectsBadTimes(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func aDateAloneMeansTheEndOfThatDayUTC() throws {
        let endOfDay = try #require(RFC3339.parseInstant("2026-03-01"))
        let nextMidnight = try #require(RFC3339.parse("2026-03-02T00:00:00Z")).date
        #expect(endOfDay < nextMidnight && nextMidnight.timeIntervalSince(endOfDay) <= 0.000_001 + 1e-9)
        let lastMillisecond = try #require(RFC3339.parse("2026-03-01T23:59:59.999Z")).date
        #expect(endOfDay > lastMillisecond)
        #expect(RFC3339.parseInstant("2026-03-01T10:05:00+02:00") == RFC3339.parse("2026-03-01T08:05:00Z")?.date)
        for bad in ["2026-02-30", "2026-3-1", "tomorrow", "2026-03-01T25:00:00Z", ""] {
            #expect(RFC3339.parseInstant(bad) == nil, "\(bad)")
        }
    }

    @Test func formatsRecordedTimesInUTCWithMilliseconds() throws {
        let date = try #require(RFC3339.parse("2026-03-01T12:05:00.123+02:00")).date
        #expect(RFC3339.format(date) == "2026-03-01T10:05:00.123Z")
    }

    @Test(arguments: ["P30D", "P2Y", "P1Y6M", "PT12H", "P1W", "P1DT2H3M4S"])
    func acceptsDurations(text: String) { #expect(ISO8601Duration(text) != nil) }

    @Test(arguments: ["30D", "P", "PT", "P1H", "P1D2Y", "P-1D", "P1.5D", "two years"])
    func rejectsBadDurations(text: String) { #expect(ISO8601Duration(text) == nil) }
}
