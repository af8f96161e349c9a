import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyTestSupport
import Foundation
import Testing

/// One propagation rule of spec/ingest.md as a small event stream and what each dataset must hold.
struct PropagationCase: CustomTestStringConvertible, Sendable {
    let name: String
    /// Ingest calls, in order; each is one transaction.
    let calls: [[String]]
    /// Dataset name → the people present in it (at the horizon).
    let people: [String: Set<String>]
    /// Dataset name → every category it holds.
    var categories: [String: Set<String>] = [:]
    /// Dataset name → the country its location resolves to.
    var countries: [String: String] = [:]
    var asOf: String?

    var testDescription: String { name }
}

private typealias E = LineageEvents
private func t(_ hour: Int, _ minute: Int = 0) -> String { LineageEvents.time(hour, minute) }
private func ds(_ name: String) -> DatasetEntry { DatasetEntry(name) }

struct PropagationTests {
    static let cases: [PropagationCase] = [
        PropagationCase(
            name: "only completed runs move data: a failed and an aborted run carry nothing",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com").categories("user.contact.email")]),
                E.run("copy_b", "FAIL", run: 2, at: t(10), inputs: [ds("a")], outputs: [ds("b").location("US")]),
                E.run("copy_c", "ABORT", run: 3, at: t(10), inputs: [ds("a")], outputs: [ds("c")]),
                E.run("copy_d", "START", run: 4, at: t(10), inputs: [ds("a")], outputs: [ds("d")]),
            ]],
            people: ["a": ["alice@example.com"], "b": [], "c": [], "d": []],
            categories: ["a": ["user.contact.email"], "b": [], "c": [], "d": []],
            // A failed run's output facts do not count either: b has no declared location.
            countries: ["a": "-", "b": "-"]),
        PropagationCase(
            name: "a run accumulates over events out of order and over calls; subject lists come in chunks; the latest facet wins",
            calls: [
                [E.run("load", "COMPLETE", run: 1, at: t(10, 5), operation: "collect", purposes: ["marketing.profiling"],
                       outputs: [ds("b").subjects("alice@example.com")])],
                [E.run("load", "START", run: 1, at: t(10), operation: "collect", purposes: ["essential.service"],
                       outputs: [ds("b").subjects("bob@example.com").categories("user.name")]),
                 E.run("load", "RUNNING", run: 1, at: t(10, 2), outputs: [ds("b").subjects("carol@example.com")])],
            ],
            people: ["b": ["alice@example.com", "bob@example.com", "carol@example.com"]],
            categories: ["b": ["user.name"]]),
        PropagationCase(
            name: "subjects named only on a START are not present until the run completes",
            calls: [[E.run("load", "START", run: 1, at: t(10), operation: "collect", outputs: [ds("b").subjects("alice@example.com")])]],
            people: ["b": []]),
        PropagationCase(
            name: "column lineage: a masked column breaks one category, an unmasked one carries another",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect",
                      outputs: [ds("a").subjects("alice@example.com").fields(["email": ["user.contact.email"], "age": ["user.demographic.age_range"]])]),
                E.run("hash", run: 2, at: t(10), inputs: [ds("a")],
                      outputs: [ds("b").columns(["email_hash": [(ds("a"), "email", true)], "age": [(ds("a"), "age", false)]])]),
            ]],
            people: ["a": ["alice@example.com"], "b": ["alice@example.com"]],
            categories: ["a": ["user.contact.email", "user.demographic.age_range"], "b": ["user.demographic.age_range"]]),
        PropagationCase(
            name: "pseudonymize keeps the people and drops direct identifiers",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect",
                      outputs: [ds("a").subjects("alice@example.com").categories("user.contact.email", "user.name", "user.demographic.age_range")]),
                E.run("research_copy", run: 2, at: t(10), operation: "pseudonymize", inputs: [ds("a")], outputs: [ds("b")]),
            ]],
            people: ["b": ["alice@example.com"]],
            categories: ["b": ["user.demographic.age_range"]]),
        PropagationCase(
            name: "anonymize carries nobody and no category",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com").categories("user.name")]),
                E.run("open_data", run: 2, at: t(10), operation: "anonymize", inputs: [ds("a")], outputs: [ds("b")]),
            ]],
            people: ["a": ["alice@example.com"], "b": []],
            categories: ["b": []]),
        PropagationCase(
            name: "aggregate carries nobody but keeps the categories",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com").categories("user.name")]),
                E.run("kpis", run: 2, at: t(10), operation: "aggregate", inputs: [ds("a")], outputs: [ds("b")]),
                E.run("kpis_copy", run: 3, at: t(11), inputs: [ds("b")], outputs: [ds("c")]),
            ]],
            people: ["b": [], "c": []],
            categories: ["b": ["user.name"], "c": ["user.name"]]),
        PropagationCase(
            name: "an erasure ends presence from its event on; the copy made before stays",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com", "bob@example.com")]),
                E.run("copy", run: 2, at: t(10), inputs: [ds("a")], outputs: [ds("b")]),
                E.run("forget", run: 3, at: t(11), operation: "erase", inputs: [ds("a")], outputs: [ds("a").erased("alice@example.com")]),
                E.run("copy_again", run: 4, at: t(12), inputs: [ds("a")], outputs: [ds("c")]),
            ]],
            people: ["a": ["bob@example.com"], "b": ["alice@example.com", "bob@example.com"], "c": ["bob@example.com"]]),
        PropagationCase(
            name: "as of a time before the erasure the person is still there",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com")]),
                E.run("forget", run: 3, at: t(11), operation: "erase", inputs: [ds("a")], outputs: [ds("a").erased("alice@example.com")]),
            ]],
            people: ["a": ["alice@example.com"]],
            asOf: t(10)),
        PropagationCase(
            name: "within one event an erasure beats a carry",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com", "bob@example.com")]),
                E.run("dedupe", run: 2, at: t(10), inputs: [ds("a")], outputs: [ds("a").erased("alice@example.com")]),
            ]],
            people: ["a": ["bob@example.com"]]),
        PropagationCase(
            name: "a dataset rewritten by another job with OVERWRITE holds only what the new run wrote",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com")]),
                E.run("signup_b", run: 2, at: t(9), operation: "collect", outputs: [ds("c").subjects("bob@example.com")]),
                E.run("fill", run: 3, at: t(10), inputs: [ds("a")], outputs: [ds("b")]),
                E.run("refill", run: 4, at: t(11), inputs: [ds("c")], outputs: [ds("b").lifecycle("OVERWRITE")], namespace: "other"),
            ]],
            people: ["b": ["bob@example.com"]]),
        PropagationCase(
            name: "a second writer without OVERWRITE adds to what is there",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com")]),
                E.run("signup_b", run: 2, at: t(9), operation: "collect", outputs: [ds("c").subjects("bob@example.com")]),
                E.run("fill", run: 3, at: t(10), inputs: [ds("a")], outputs: [ds("b")]),
                E.run("append", run: 4, at: t(11), inputs: [ds("c")], outputs: [ds("b")], namespace: "other"),
            ]],
            people: ["b": ["alice@example.com", "bob@example.com"]]),
        PropagationCase(
            name: "TRUNCATE and DROP end everyone's presence",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com"), ds("b").subjects("bob@example.com")]),
                E.run("truncate", run: 2, at: t(10), operation: "erase", outputs: [ds("a").lifecycle("TRUNCATE")]),
                E.run("drop", run: 3, at: t(10), operation: "erase", outputs: [ds("b").lifecycle("DROP")]),
            ]],
            people: ["a": [], "b": []]),
        PropagationCase(
            name: "a DatasetEvent inventories people, categories and a location",
            calls: [[
                E.dataset(ds("legacy").subjects("alice@example.com").categories("user.contact.email").location("aws:us-east-1"), at: t(9)),
                E.dataset(ds("legacy").tag("personal_data_category", "user.name", field: "full_name").tag("classification", "user.financial"), at: t(9, 30)),
                E.run("copy", run: 1, at: t(10), inputs: [ds("legacy")], outputs: [ds("copy").location("DE")]),
            ]],
            people: ["legacy": ["alice@example.com"], "copy": ["alice@example.com"]],
            categories: ["legacy": ["user.contact.email", "user.name", "user.financial"], "copy": ["user.contact.email", "user.name", "user.financial"]],
            countries: ["legacy": "US", "copy": "DE"]),
        PropagationCase(
            name: "a run that read the dataset before the person arrived carries nobody (time-respecting paths)",
            calls: [[
                E.run("early_copy", run: 1, at: t(8), inputs: [ds("a")], outputs: [ds("b")]),
                E.run("signup", run: 2, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com")]),
            ]],
            people: ["a": ["alice@example.com"], "b": []]),
        PropagationCase(
            name: "a cycle in the graph is followed once and does not hang",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com").categories("user.name")]),
                E.run("a_to_b", run: 2, at: t(10), inputs: [ds("a")], outputs: [ds("b")]),
                E.run("b_to_a", run: 3, at: t(11), inputs: [ds("b")], outputs: [ds("a")]),
                E.run("a_to_b", run: 4, at: t(12), inputs: [ds("a")], outputs: [ds("b")]),
            ]],
            people: ["a": ["alice@example.com"], "b": ["alice@example.com"]],
            categories: ["a": ["user.name"], "b": ["user.name"]]),
        PropagationCase(
            name: "a job's defaults apply to its runs: a JobEvent declares the job anonymises",
            calls: [[
                E.job("publish", at: t(8), processing: ["operation": "anonymize"]),
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com").categories("user.name")]),
                E.run("publish", run: 2, at: t(10), inputs: [ds("a")], outputs: [ds("b")]),
            ]],
            people: ["b": []],
            categories: ["b": []]),
        PropagationCase(
            name: "a dataset declared anonymous receives nobody",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com")]),
                E.run("stats", run: 2, at: t(10), inputs: [ds("a")], outputs: [ds("b").anonymous()]),
            ]],
            people: ["b": []]),
        PropagationCase(
            name: "collect adds the people it names to those of its inputs",
            calls: [[
                E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").subjects("alice@example.com")]),
                E.run("enrich", run: 2, at: t(10), operation: "collect", processing: ["source": ["type": "third_party", "name": "Broker"]],
                      inputs: [ds("a")], outputs: [ds("b").subjects("bob@example.com")]),
            ]],
            people: ["b": ["alice@example.com", "bob@example.com"]]),
    ]

    /// A category an event declared on a dataset is reported as declared there even when a run also carried it
    /// in (what `custody dataset` prints and the pack-coverage rule reads); where it came from lists the input.
    @Test func aCategoryDeclaredAndCarriedInIsBoth() throws {
        let views = try Self.heldCategories(of: "b", after: [
            E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").categories("user.name", "user.contact.email")]),
            E.run("copy", run: 2, at: t(10), inputs: [ds("a")], outputs: [ds("b").categories("user.name")]),
        ])
        for held in views {
            #expect(held == ["user.name": Held(declared: true, from: ["a"]), "user.contact.email": Held(declared: false, from: ["a"])])
        }
    }

    /// A run that reads a dataset and writes it again (an update in place) carries what the dataset holds into
    /// itself: where its categories came from lists the dataset beside the other inputs, and stays put over the
    /// fixed point's rounds.
    @Test func aDatasetRewrittenInPlaceListsItselfAmongItsSources() throws {
        let views = try Self.heldCategories(of: "ledger", after: [
            E.run("signup", run: 1, at: t(9), operation: "collect", outputs: [ds("a").categories("user.name")]),
            E.run("open", run: 2, at: t(9, 30), operation: "collect", outputs: [ds("ledger").categories("user.contact.email")]),
            E.run("merge", run: 3, at: t(10), inputs: [ds("a"), ds("ledger")], outputs: [ds("ledger")]),
        ])
        for held in views {
            #expect(held == ["user.contact.email": Held(declared: true, from: ["ledger"]), "user.name": Held(declared: false, from: ["a", "ledger"])])
        }
    }

    /// Whether a category was declared on a dataset, and the names of the datasets it was carried in from.
    private struct Held: Equatable {
        let declared: Bool
        let from: [String]
    }

    /// The categories a dataset holds after `events`, by key, as two views tell: one reading the stored
    /// categories, one working them out from upstream (as of a time after every event).
    private static func heldCategories(of dataset: String, after events: [String]) throws -> [[String: Held]] {
        var test = try TestStore()
        try test.ingest(events, projectors: [LineageProjector()])
        return try [Horizon.now, Horizon(asOf: .distantFuture)].map { horizon in
            let profile = try Lineage(store: test.store, pack: try PolicyPack.builtIn(), horizon: horizon).dataset(dataset)
            return Dictionary(uniqueKeysWithValues: profile.categories.map { ($0.key, Held(declared: $0.declared, from: $0.from.map(\.name))) })
        }
    }

    @Test(arguments: cases)
    func propagation(_ testCase: PropagationCase) throws {
        var test = try TestStore()
        for call in testCase.calls { try test.ingest(call, projectors: [LineageProjector()]) }
        let horizon = Horizon(asOf: testCase.asOf.flatMap(RFC3339.parseInstant))
        let lineage = try Lineage(store: test.store, pack: try PolicyPack.builtIn(), horizon: horizon)
        let everyone = Set(testCase.calls.joined().flatMap { line in
            ["alice@example.com", "bob@example.com", "carol@example.com"].filter { line.contains($0) }
        })
        var present: [String: Set<String>] = [:]
        for person in everyone {
            let trail = try lineage.subject([SubjectIdentifier(person)!], vaultKey: test.vaultKey)
            for holding in trail.datasets where holding.isPresent { present[holding.dataset.name, default: []].insert(person) }
        }
        for (dataset, people) in testCase.people {
            #expect(present[dataset, default: []] == people, "people in \(dataset)")
        }
        for (dataset, categories) in testCase.categories {
            #expect(Set(try lineage.dataset(dataset).categories.map(\.key)) == categories, "categories of \(dataset)")
        }
        for (dataset, country) in testCase.countries {
            #expect((try lineage.dataset(dataset).location.country?.code ?? "-") == country, "country of \(dataset)")
        }
    }
}
