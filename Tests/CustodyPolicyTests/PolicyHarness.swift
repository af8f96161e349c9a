import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyPolicy
import CustodyTestSupport
import Foundation

/// Ingests a small event stream into a fresh store and judges it, for the rule tests.
struct PolicyHarness {
    var test: TestStore
    let pack: PolicyPack

    init(_ lines: [String], overlay: [String: String] = [:], seed: UInt64 = 1) throws {
        test = try TestStore(seed: seed)
        if overlay.isEmpty {
            pack = try PolicyPack.builtIn()
        } else {
            let directory = test.directory.file("policies")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (name, text) in overlay { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
            pack = try PolicyPack.load(overlay: directory)
        }
        try test.ingest(lines, projectors: [LineageProjector()])
    }

    /// Judges as of `asOf`, or as of the day after the streams' events (2 March 2026) when not given.
    func check(asOf: Date? = nil, scope: PolicyEngine.Scope = .everything) throws -> PolicyResult {
        let lineage = try Lineage(store: test.store, pack: pack, horizon: Horizon(asOf: asOf))
        return try PolicyEngine(pack: pack).check(lineage, scope: scope, now: Self.now)
    }

    /// When the rule tests judge what has no `asOf`: the day after the streams' events.
    static let now = RFC3339.parseInstant("2026-03-02")!

    /// The findings of one rule.
    func findings(_ rule: String, asOf: Date? = nil) throws -> [Finding] {
        try check(asOf: asOf).findings.filter { $0.rule == rule }
    }
}

typealias E = LineageEvents
func t(_ hour: Int, _ minute: Int = 0) -> String { LineageEvents.time(hour, minute) }
func ds(_ name: String) -> DatasetEntry { DatasetEntry(name) }

/// A collection of one person's e-mail address into `crm` (stored in Germany), on a contract.
let collection = E.run("signup", run: 1, at: t(9), operation: "collect", purposes: ["essential.service"], legalBasis: "contract",
    processing: ["source": ["type": "data_subject"]], outputs: [ds("crm").subjects("alice@example.com").categories("user.contact.email").location("DE")])
