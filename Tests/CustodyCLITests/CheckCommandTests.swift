import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyPolicy
import CustodyTestSupport
import Foundation
import Testing

/// `custody check` end to end on `examples/policy-fixture.jsonl`: a shop's pipeline in which some runs
/// break the rules on purpose (examples/make-policy-fixture.py says which and why).
struct CheckCommandTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/policy-fixture.jsonl").path

    static let crm = "dataset:postgres://crm-db:5432:"

    /// Every finding, in the order `check` gives them: rule | severity | article | dataset | job |
    /// recipient | Chapter V branch | evidence.
    static let expected = [
        "automated-decision-special-category|violation|Art. 22(4)|-|job:shop:triage|-|-|4,5",
        "criminal-data-authorisation|violation|Art. 10|-|job:shop:background_check|-|-|3",
        "lawful-basis|violation|Art. 6(1)|-|job:shop:report_draft|-|-|13",
        "purpose-compatibility|violation|Art. 5(1)(b), 6(4)|\(crm)crm.customers|job:shop:ads_profile|-|-|0,12",
        "special-category-condition|violation|Art. 9(2)|-|job:shop:risk_score|-|-|2,4",
        "third-party-source|violation|Art. 14(2)(f)|-|job:shop:buy_leads|-|-|1",
        "transfer-basis|violation|Art. 44-49|-|job:shop:support_offshore|Bangalore Support Pvt Ltd|none|7",
        "transfer-basis|violation|Art. 44-49|dataset:s3://backup:crm/customers|job:shop:backup_us|-|none|8",
        "after-erasure|warning|Art. 17|\(crm)crm.customers|job:shop:restore_customers|-|-|18,19",
        "transfer-basis|warning|Art. 44-49|-|job:shop:court_disclosure|Mumbai High Court|derogation|10",
        "unknown-category|warning|Art. 30(1)(c)|\(crm)crm.loyalty|-|-|-|17",
        "unknown-location|warning|Art. 30(1)(e), 44|dataset:file:///tmp:churn.parquet|-|-|-|14",
        "unknown-purpose|warning|Art. 30(1)(b)|-|job:shop:weekly_stats|-|-|15",
        "transfer-basis|info|Art. 44-49|-|job:shop:export_audience|AdCo Inc|safeguard|6",
        "transfer-basis|info|Art. 44-49|-|job:shop:patent_filing|European Patent Office|adequacy|11",
        "transfer-basis|info|Art. 44-49|dataset:s3://mirror-uk:crm/customers|job:shop:mirror_uk|-|adequacy|9",
    ]

    /// A store with the fixture ingested, in a folder that lives as long as `body`.
    static func withStore(_ body: (_ directory: TemporaryDirectory, _ store: String) throws -> Void) throws {
        let directory = TemporaryDirectory()
        let store = directory.file("shop.db")
        let ingest = CLIRun(["ingest", "--store", store, fixture])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        try withExtendedLifetime(directory) { try body(directory, store) }
    }

    static func lines(_ json: String) throws -> [String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        return findings.map { finding in
            let concerns = finding["concerns"] as? [String: Any] ?? [:]
            let transfer = finding["transfer"] as? [String: Any]
            let evidence = (finding["evidence"] as? [Int] ?? []).map(String.init).joined(separator: ",")
            return [finding["rule"], finding["severity"], finding["article"], concerns["dataset"], concerns["job"], concerns["recipient"],
                    transfer?["branch"]].map { ($0 as? String) ?? "-" }.joined(separator: "|") + "|" + evidence
        }
    }

    @Test func checkFindsExactlyTheExpectedFindingsAndExitsOne() throws {
        try Self.withStore { _, store in
            let run = CLIRun(["check", "--store", store, "--format", "json"])
            #expect(run.status == 1, "a violation is exit 1: \(run.stderr)")
            #expect(try Self.lines(run.stdout) == Self.expected)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            #expect(object["violations"] as? Int == 8 && object["warnings"] as? Int == 5 && object["infos"] as? Int == 3)
            #expect((object["packDigest"] as? String)?.count == 64)
            // Every finding explains itself and says what to do.
            for finding in try #require(object["findings"] as? [[String: Any]]) {
                #expect(!((finding["summary"] as? String) ?? "").isEmpty && !((finding["remedy"] as? String) ?? "").isEmpty)
            }
        }
    }

    @Test func theTextNamesRuleArticleWhatAndEvidence() throws {
        try Self.withStore { _, store in
            let run = CLIRun(["check", "--store", store])
            #expect(run.status == 1)
            let text = run.stdout
            #expect(text.hasPrefix("Checked 19 runs and 18 datasets: 8 violations, 5 warnings, 3 infos.\n"))
            #expect(text.contains("""
                VIOLATION  transfer-basis  (Art. 44-49)
                  backup_us stored personal data in crm/customers, located in aws:us-east-1, without a basis: adequacy: the decision covers only \
                recipients that are certified under the Data Privacy Framework, and no recipient is named; no Art. 46 safeguard or Art. 49 \
                derogation is named by the run or recorded in the pack
                  concerns: dataset:s3://backup:crm/customers; job:shop:backup_us run 0193b0c1-0000-7000-8000-000000000009
                  Chapter V branch: none
                  evidence: events 8
                  remedy: Record the basis on the run
                """))
            #expect(text.contains("WARNING  transfer-basis  (Art. 44-49)\n  court_disclosure disclosed personal data to Mumbai High Court, only under the Art. 49 derogation derogation:legal_claims (the run)"))
            #expect(text.contains("INFO  transfer-basis  (Art. 44-49)\n  patent_filing disclosed personal data to European Patent Office, under the adequacy decision Commission Implementing Decision (EU) 2025/1382"))
        }
    }

    @Test func scopesKeepWhatConcernsTheDatasetOrThePerson() throws {
        try Self.withStore { _, store in
            let dataset = CLIRun(["check", "--store", store, "--format", "json", "--dataset", "dataset:s3://backup:crm/customers"])
            // The run that wrote the backup, and the restore that read it.
            let datasetLines = try Self.lines(dataset.stdout)
            #expect(datasetLines == [Self.expected[7], Self.expected[8]])
            #expect(dataset.status == 1)
            let frank = CLIRun(["check", "--store", store, "--format", "json", "--subject", "frank@example.com"])
            let frankLines = try Self.lines(frank.stdout)
            #expect(frankLines == [Self.expected[1]])
            let nobody = CLIRun(["check", "--store", store, "--subject", "nobody@example.com"])
            #expect(nobody.status == 0 && nobody.stdout.contains("0 violations, 0 warnings, 0 infos"))
        }
    }

    @Test func theSameStoreAndPackGiveByteIdenticalFindings() throws {
        try Self.withStore { _, store in
            let first = CLIRun(["check", "--store", store, "--format", "json", "--as-of", "2026-03-02T12:00:00Z"])
            let second = CLIRun(["check", "--store", store, "--format", "json", "--as-of", "2026-03-02T12:00:00Z"])
            #expect(first.stdout == second.stdout && !first.stdout.isEmpty)
            // As of noon, the erasure and the restore have not happened yet.
            let lines = try Self.lines(first.stdout)
            #expect(!lines.contains { $0.hasPrefix("after-erasure") })
        }
    }

    @Test func aPolicyFileOfTheUsersChangesTheVerdict() throws {
        try Self.withStore { directory, store in
            let policies = directory.file("policies")
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try """
                version: 1
                transferBases:
                  - location: aws:us-east-1
                    mechanism: scc_commission
                    tiaRef: TIA-AWS-1
                rules:
                  third-party-source: { severity: warning }
                  criminal-data-authorisation: { enabled: false }
                """.write(toFile: policies + "/shop.yaml", atomically: true, encoding: .utf8)
            let run = CLIRun(["check", "--store", store, "--format", "json", "--policies", policies])
            let lines = try Self.lines(run.stdout)
            #expect(lines.contains("transfer-basis|info|Art. 44-49|dataset:s3://backup:crm/customers|job:shop:backup_us|-|safeguard|8"))
            #expect(lines.contains("third-party-source|warning|Art. 14(2)(f)|-|job:shop:buy_leads|-|-|1"))
            #expect(!lines.contains { $0.hasPrefix("criminal-data-authorisation") })
            #expect(lines.count == Self.expected.count - 1)
        }
    }

    @Test func aBadPolicyFileIsExitTwoWithItsLocationAndTheStoreIsUntouched() throws {
        try Self.withStore { directory, store in
            let before = try Data(contentsOf: URL(fileURLWithPath: store))
            let policies = directory.file("policies")
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try "version: 1\nadequacy:\n  FR:\n    decision: D\n    adopted: 2020-01-01\n".write(toFile: policies + "/bad.yaml", atomically: true, encoding: .utf8)
            let run = CLIRun(["check", "--store", store, "--policies", policies])
            #expect(run.status == 2)
            #expect(run.stderr.contains("bad.yaml:3:3:") && run.stderr.contains("contradicts the eea list"), "\(run.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
            #expect(CLIRun(["check", "--store", store, "--format", "html"]).status == 2)
        }
    }

    static let proposed = URL(fileURLWithPath: fixture).deletingLastPathComponent().appendingPathComponent("proposed").path

    @Test func decideDeniesATransferWithoutABasisAndAllowsACompliantOneWritingNothing() throws {
        try Self.withStore { _, store in
            let logBefore = CLIRun(["log", "--store", store]).stdout
            let checkBefore = CLIRun(["check", "--store", store, "--format", "json"]).stdout
            let deny = CLIRun(["decide", "--store", store, "--format", "json", Self.proposed + "/deny-transfer.json"])
            #expect(deny.status == 1, "\(deny.stderr)")
            let denied = try #require(try JSONSerialization.jsonObject(with: Data(deny.stdout.utf8)) as? [String: Any])
            #expect(denied["decision"] as? String == "deny" && denied["events"] as? Int == 1)
            // Only what the proposed event causes: not the store's own findings.
            #expect(try Self.lines(deny.stdout) == ["transfer-basis|violation|Art. 44-49|-|job:shop:support_offshore|Bangalore Support Pvt Ltd|none|20"])
            let allow = CLIRun(["decide", "--store", store, Self.proposed + "/allow-transfer.json"])
            #expect(allow.status == 0, "\(allow.stderr)")
            #expect(allow.stdout.hasPrefix("ALLOW: 1 proposed event judged against the store: 0 violations, 0 warnings, 1 info."))
            #expect(allow.stdout.contains("Chapter V branch: safeguard"))
            // Nothing was ingested: the same log, the same findings, and the store verifies.
            #expect(CLIRun(["log", "--store", store]).stdout == logBefore)
            #expect(CLIRun(["check", "--store", store, "--format", "json"]).stdout == checkBefore)
            #expect(CLIRun(["verify", "--store", store]).status == 0)
        }
    }

    @Test func decideRejectsBadInputWithItsLineAndField() throws {
        try Self.withStore { directory, store in
            let bad = directory.file("bad.jsonl")
            let good = try String(contentsOfFile: Self.proposed + "/allow-transfer.json", encoding: .utf8)
            let compact = good.replacingOccurrences(of: "\n", with: "")
            try (compact + "\n" + compact.replacingOccurrences(of: "\"country\": \"IN\"", with: "\"country\": \"India\"") + "\n").write(toFile: bad, atomically: true, encoding: .utf8)
            let run = CLIRun(["decide", "--store", store, bad])
            #expect(run.status == 2)
            #expect(run.stderr.contains("bad.jsonl:2:") && run.stderr.contains("/recipient/country") && run.stderr.contains("nothing was recorded"),
                "\(run.stderr)")
        }
    }

    /// Thirty days for the service's data, sixty for health data, and a hold on the clinic's datasets.
    @Test func retentionListsWhatIsDueWithItsPeriodAndTheHeldApart() throws {
        try Self.withStore { directory, store in
            let policies = try PolicyFiles.fixtureRetention(in: directory)
            #expect(CLIRun(["retention", "--store", store]).stdout.hasPrefix("No retention periods in the policy pack"))
            let run = CLIRun(["retention", "--store", store, "--policies", policies, "--as-of", "2026-04-10", "--format", "json"])
            #expect(run.status == 0, "\(run.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let items = try #require(object["items"] as? [[String: Any]])
            let lines = items.map { item in
                [item["status"], item["dataset"], item["deadline"], item["firstWrittenIn"], item["purpose"]]
                    .map { ($0 as? String) ?? "-" }.joined(separator: "|") + "|\(item["daysOverdue"] as? Int ?? 0)"
            }
            let customers = "\(Self.crm)crm.customers", clinic = "dataset:postgres://clinic-db:5432:"
            // The customer data and every copy of it (the copies counted from the sign-up, not from when they
            // were made) expire 30 days after it. The clinic's datasets hold health data (60 days) but serve
            // essential.service, for which the shorter period wins: overdue too, but held.
            #expect(lines == [
                "overdue|dataset:file:///tmp:churn.parquet|2026-04-01T08:00:00.000Z|\(customers)|essential.service|9",
                "overdue|\(customers)|2026-04-01T08:00:00.000Z|\(customers)|essential.service|9",
                "overdue|dataset:s3://backup:crm/customers|2026-04-01T08:00:00.000Z|\(customers)|essential.service|9",
                "overdue|dataset:s3://mirror-uk:crm/customers|2026-04-01T08:00:00.000Z|\(customers)|essential.service|9",
                "held|\(clinic)clinic.decisions|2026-04-01T08:20:00.000Z|\(clinic)clinic.intake|essential.service|9",
                "held|\(clinic)clinic.intake|2026-04-01T08:20:00.000Z|\(clinic)clinic.intake|essential.service|9",
                "held|\(clinic)clinic.risk|2026-04-01T08:20:00.000Z|\(clinic)clinic.intake|essential.service|9",
            ])
            let text = CLIRun(["retention", "--store", store, "--policies", policies, "--as-of", "2026-04-10"]).stdout
            #expect(text.hasPrefix("Past the deadline, to erase or anonymise (as of 2026-04-10):\n"))
            #expect(text.contains("hold clinic (Art. 17(3)(c)): Kept for the health authority."))
        }
    }

    @Test func retentionApplyRecordsWhatIsOverdueOnceAndChangesNothingElse() throws {
        try Self.withStore { directory, store in
            let policies = try PolicyFiles.fixtureRetention(in: directory)
            func size() throws -> Int { try EventStore.open(at: store).head().size }
            func apply(on day: String) throws -> [String: Any] {
                let run = CLIRun(["retention", "--apply", "--store", store, "--policies", policies, "--format", "json"],
                    now: RFC3339.parseInstant(day)!)
                #expect(run.status == 0, "\(run.stderr)")
                return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            }
            func findings() -> [String] {
                let run = CLIRun(["check", "--store", store, "--policies", policies, "--format", "json"])
                let object = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
                return (object?["findings"] as? [[String: Any]] ?? []).map { "\($0["rule"] ?? "")|\($0["summary"] ?? "")|\($0["evidence"] ?? "")" }
            }
            let refused = CLIRun(["retention", "--apply", "--as-of", "2026-04-10", "--store", store, "--policies", policies])
            #expect(refused.status == 2 && refused.stderr.contains("leave out --as-of"), "\(refused.stderr)")
            let before = try size(), findingsBefore = findings()
            #expect(findingsBefore.count > 10)

            // Before the deadline nothing is overdue: nothing is recorded.
            let early = try apply(on: "2026-03-20T12:00:00Z")
            #expect(early["event"] is NSNull && (early["recorded"] as? [Any])?.isEmpty == true)
            #expect(try size() == before)

            // After it, the four overdue datasets are recorded in one event; the held ones are not.
            let first = try apply(on: "2026-04-10T12:00:00Z")
            #expect(first["event"] as? Int == before)
            let recorded = try #require(first["recorded"] as? [[String: Any]]).compactMap { $0["dataset"] as? String }
            #expect(recorded == ["dataset:file:///tmp:churn.parquet", "\(Self.crm)crm.customers", "dataset:s3://backup:crm/customers",
                                 "dataset:s3://mirror-uk:crm/customers"])
            #expect(try size() == before + 1)

            // Applying again records nothing new.
            let second = try apply(on: "2026-04-11T12:00:00Z")
            #expect(second["event"] is NSNull && second["alreadyRecorded"] as? Int == 4 && second["earlierEvents"] as? [Int] == [before])
            #expect(try size() == before + 1)

            // The record is an event of Custody's own job, read back as such; it judges as nothing.
            let lineage = try Lineage(store: try EventStore.open(at: store), pack: try PolicyPack.load(overlay: policies))
            let events = try lineage.events(ofJob: RetentionRecord.job)
            #expect(events.map(\.seq) == [before])
            let items = events.first?.event["run"]?["facets"]?[RetentionRecord.facet]?["items"]
            if case .array(let list)? = items { #expect(list.compactMap { $0["period"]?.stringValue } == Array(repeating: "accounts", count: 4)) } else {
                Issue.record("no items in the recorded plan")
            }
            #expect(findings() == findingsBefore)
            #expect(CLIRun(["verify", "--store", store]).status == 0)

            // The backup is truncated: that recorded item closes, the other three stay open, and the
            // retention report shows the same.
            let truncate = LineageEvents.run("truncate_backup", run: 77, at: LineageEvents.time(13), operation: "erase", purposes: ["essential.service"],
                legalBasis: "legal_obligation", inputs: [], outputs: [DatasetEntry("crm/customers", namespace: "s3://backup").lifecycle("TRUNCATE")])
            let ingest = CLIRun(["ingest", "--store", store, "-"], stdin: truncate)
            #expect(ingest.status == 0, "\(ingest.stderr)")
            let listed = CLIRun(["retention", "--store", store, "--policies", policies, "--format", "json"], now: RFC3339.parseInstant("2026-04-12T12:00:00Z")!)
            let state = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
            let planned = try #require(state["recorded"] as? [[String: Any]])
            let closed = planned.filter { $0["state"] as? String == "closed" }
            #expect(closed.compactMap { $0["dataset"] as? String } == ["dataset:s3://backup:crm/customers"])
            #expect(planned.filter { $0["state"] as? String == "open" }.count == 3)
            let closing = try #require(closed.first?["closedBy"] as? [String: Any])
            #expect(closing["how"] as? String == "TRUNCATE" && (closing["at"] as? [String: Any])?["seq"] as? Int == before + 1)
            let report = CLIRun(["report", "retention", "--store", store, "--policies", policies, "--format", "json"],
                now: RFC3339.parseInstant("2026-04-12T12:00:00Z")!)
            let recordedInReport = try #require((try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])?["recorded"] as? [[String: Any]])
            #expect(recordedInReport.map { $0["state"] as? String } == planned.map { $0["state"] as? String })
        }
    }
}
