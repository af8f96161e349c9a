import CustodyTestSupport
import Foundation
import GRDB
import Testing

/// The lineage commands end to end on `examples/lineage-fixture.jsonl` (21 events: collection from the
/// people and from a broker, a profile build with column lineage, a transfer to the US, a failed
/// transfer to India, a pseudonymised research copy, its anonymised export, an aggregate, a consultation,
/// an automated decision, an inventory DatasetEvent, a backup, an erasure and a snapshot after it).
struct LineageCommandTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/lineage-fixture.jsonl").path

    static let crm = "dataset:postgres://crm-db:5432:"

    /// Per person, one line per period: dataset | now or held | confirmed or derived | since (seq) | the
    /// run's job | derived from | until (how@seq) | country.
    static let trails: [String: [String]] = [
        "alice": [
            "\(crm)crm.customers|now|confirmed|2|job:crm:signup|-|-|DE",
            "\(crm)crm.customers_snapshot|now|derived|20|job:ops:snapshot|\(crm)crm.customers|-|-",
            "\(crm)risk.invoice_eligibility|now|derived|15|job:risk:credit_check|dataset:s3://example-analytics:profiles/customer_profiles|-|DE",
            "dataset:postgres://research-db:5432:research.cohort|now|derived|11|job:research:research_copy|\(crm)crm.customers|-|NL",
            "dataset:s3://adco-us:audience/2026-03-02|now|confirmed|8|job:crm:export_audience|-|-|US",
            "dataset:s3://example-analytics:profiles/customer_profiles|now|derived|7|job:analytics:build_profiles|\(crm)crm.customers|-|IE",
            "dataset:s3://example-backups:crm/customers-2026-03-05|now|derived|17|job:ops:nightly_backup|\(crm)crm.customers|-|DE",
        ],
        "bob": [
            "\(crm)crm.customers|held|derived|5|job:crm:merge_leads|\(crm)crm.leads|erasure@19|DE",
            "\(crm)crm.leads|held|confirmed|4|job:crm:import_leads|-|erasure@19|DE",
            "\(crm)risk.invoice_eligibility|now|derived|15|job:risk:credit_check|dataset:s3://example-analytics:profiles/customer_profiles|-|DE",
            "dataset:postgres://research-db:5432:research.cohort|now|derived|11|job:research:research_copy|\(crm)crm.customers|-|NL",
            "dataset:s3://adco-us:audience/2026-03-02|now|derived|8|job:crm:export_audience|dataset:s3://example-analytics:profiles/customer_profiles|-|US",
            "dataset:s3://example-analytics:profiles/customer_profiles|now|derived|7|job:analytics:build_profiles|\(crm)crm.customers|-|IE",
            // The backup was made before the erasure; the snapshot after it holds nothing of Bob.
            "dataset:s3://example-backups:crm/customers-2026-03-05|now|derived|17|job:ops:nightly_backup|\(crm)crm.customers|-|DE",
        ],
        "carol": [
            "dataset:postgres://billing-db:5432:billing.invoices|now|confirmed|16|-|-|-|DE",
            "\(crm)crm.customers|now|confirmed|2|job:crm:signup|-|-|DE",
            "\(crm)crm.customers_snapshot|now|derived|20|job:ops:snapshot|\(crm)crm.customers|-|-",
            "\(crm)risk.invoice_eligibility|now|derived|15|job:risk:credit_check|dataset:s3://example-analytics:profiles/customer_profiles|-|DE",
            "dataset:postgres://research-db:5432:research.cohort|now|derived|11|job:research:research_copy|\(crm)crm.customers|-|NL",
            "dataset:s3://adco-us:audience/2026-03-02|now|derived|8|job:crm:export_audience|dataset:s3://example-analytics:profiles/customer_profiles|-|US",
            "dataset:s3://example-analytics:profiles/customer_profiles|now|derived|7|job:analytics:build_profiles|\(crm)crm.customers|-|IE",
            "dataset:s3://example-backups:crm/customers-2026-03-05|now|derived|17|job:ops:nightly_backup|\(crm)crm.customers|-|DE",
        ],
    ]

    static let identifiers: [String: [String]] = [
        "alice": ["alice@example.com"], "bob": ["bob@example.com"], "carol": ["carol@example.com", "phone:+49 30 1234567"],
    ]

    private func ingestedStore() throws -> (TemporaryDirectory, String) {
        let directory = TemporaryDirectory()
        let store = directory.file("fixture.db")
        let run = CLIRun(["--store", store, "ingest", Self.fixture])
        #expect(run.status == 0, "\(run.stderr)")
        return (directory, store)
    }

    private func trailJSON(_ store: String, _ identifiers: [String], _ extra: [String] = []) throws -> [String: Any] {
        let run = CLIRun(["subject"] + identifiers + ["--store", store, "--format", "json"] + extra)
        #expect(run.status == 0, "\(run.stderr)")
        return try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
    }

    private func periods(_ trail: [String: Any]) -> [String] {
        (trail["datasets"] as? [[String: Any]] ?? []).flatMap { holding -> [String] in
            let location = holding["location"] as? [String: Any]
            return (holding["periods"] as? [[String: Any]] ?? []).map { period in
                let run = period["run"] as? [String: Any]
                let until = (period["until"] as? [String: Any]).map { "\($0["how"]!)@\(($0["at"] as! [String: Any])["seq"]!)" } ?? "-"
                return [
                    holding["dataset"] as! String, period["until"] is NSNull ? "now" : "held",
                    period["confirmed"] as! Bool ? "confirmed" : "derived", "\((period["since"] as! [String: Any])["seq"]!)",
                    run?["job"] as? String ?? "-", period["from"] as? String ?? "-", until, location?["country"] as? String ?? "-",
                ].joined(separator: "|")
            }
        }
    }

    @Test(arguments: ["alice", "bob", "carol"])
    func eachPersonsTrailInJSON(person: String) throws {
        let (directory, store) = try ingestedStore()
        _ = directory
        let trail = try trailJSON(store, Self.identifiers[person]!)
        #expect(trail["holdsData"] as? Bool == true)
        #expect(trail["knownIdentifiers"] as? Int == Self.identifiers[person]!.count)
        #expect(periods(trail) == Self.trails[person]!)
        // Nothing reaches the anonymised export, the aggregate, or the failed run's output.
        let datasets = (trail["datasets"] as? [[String: Any]] ?? []).compactMap { $0["dataset"] as? String }
        for never in ["dataset:s3://open-data:stats/cohort_summary", "dataset:s3://example-analytics:marts/weekly_kpis",
                      "dataset:s3://trackco-in:inbound/example-retail"] {
            #expect(!datasets.contains(never))
        }
        let disclosures = trail["disclosures"] as? [[String: Any]] ?? []
        #expect(disclosures.count == 1, "only AdCo received data; the TrackCo transfer failed")
        let recipient = disclosures.first?["recipient"] as? [String: Any]
        #expect(recipient?["name"] as? String == "AdCo Inc")
        #expect(recipient?["country"] as? String == "US")
        #expect(((disclosures.first?["at"] as? [String: Any])?["seq"] as? Int) == 8)
        let run = disclosures.first?["run"] as? [String: Any]
        #expect(run?["transferMechanism"] as? String == "scc_commission")
        #expect(run?["legalBasis"] as? String == "consent")

        let collections = trail["collections"] as? [[String: Any]] ?? []
        let source = (collections.first?["run"] as? [String: Any])?["source"] as? [String: Any]
        let consultations = trail["consultations"] as? [[String: Any]] ?? []
        let removals = (trail["removals"] as? [[String: Any]] ?? []).map { "\($0["how"]!) \($0["dataset"]!)" }
        switch person {
        case "bob":
            #expect(source?["type"] as? String == "third_party")
            #expect(source?["name"] as? String == "DataBroker GmbH")
            #expect(removals == ["erasure \(Self.crm)crm.customers", "erasure \(Self.crm)crm.leads"])
            #expect(consultations.isEmpty)
        case "alice":
            #expect(source?["type"] as? String == "data_subject")
            #expect(removals.isEmpty)
            #expect(consultations.count == 1)
            let consulting = consultations.first?["run"] as? [String: Any]
            #expect(consulting?["job"] as? String == "job:support:agent_console_lookup")
            #expect(consulting?["purposes"] as? [String] == ["essential.customer_support"])
        default:
            #expect(source?["name"] as? String == "web signup form")
            #expect(removals.isEmpty)
            #expect(consultations.isEmpty)
        }
    }

    @Test func identifiersInOtherSpellingsGiveTheSameAnswer() throws {
        let (directory, store) = try ingestedStore()
        _ = directory
        let plain = CLIRun(["subject", "alice@example.com", "--store", store, "--format", "json"]).stdout
        for spelling in ["Alice@Example.com", "email:alice@example.com", " EMAIL:Alice@example.com "] {
            let run = CLIRun(["subject", spelling, "--store", store, "--format", "json"])
            #expect(run.stdout == plain, "\(spelling)")
        }
        // Carol's two identifiers together are one person: her phone number adds nothing the e-mail lacks
        // here, and the answer names no identifier.
        let both = CLIRun(["subject", "carol@example.com", "phone:+49 30 1234567", "--store", store])
        #expect(!both.stdout.contains("carol") && !both.stdout.contains("1234567"))
    }

    @Test func theTextTrailNamesEveryFieldAPersonNeeds() throws {
        let (directory, store) = try ingestedStore()
        _ = directory
        let run = CLIRun(["subject", "bob@example.com", "--store", store])
        #expect(run.status == 0)
        let expected = """
            Data subject (1 identifier, 1 known)

            Held in 7 datasets, 5 now:
              dataset:postgres://crm-db:5432:crm.customers
                location: DE → DE (EEA)
                since 2026-03-01 12:00:00Z (event 5), derived from dataset:postgres://crm-db:5432:crm.leads
                  by job:crm:merge_leads run 0193a0c1-5e2f-7b3c-8d4e-000000000003: transform for essential.service on contract
                until 2026-03-05 12:05:00Z (event 19): erasure by job:crm:erasure_requests
              dataset:postgres://crm-db:5432:crm.leads
                location: DE → DE (EEA)
                since 2026-03-01 10:03:00Z (event 4), confirmed
                  by job:crm:import_leads run 0193a0c1-5e2f-7b3c-8d4e-000000000002: collect for marketing.profiling on legitimate_interests
                until 2026-03-05 12:05:00Z (event 19): erasure by job:crm:erasure_requests
              dataset:postgres://crm-db:5432:risk.invoice_eligibility
                location: DE → DE (EEA)
                since 2026-03-04 14:00:00Z (event 15), derived from dataset:s3://example-analytics:profiles/customer_profiles
                  by job:risk:credit_check run 0193a0c1-5e2f-7b3c-8d4e-00000000000b: decide for service.credit_check on contract
              dataset:postgres://research-db:5432:research.cohort
                location: NL → NL (EEA)
                since 2026-03-03 09:00:00Z (event 11), derived from dataset:postgres://crm-db:5432:crm.customers
                  by job:research:research_copy run 0193a0c1-5e2f-7b3c-8d4e-000000000007: pseudonymize for research.scientific on consent
              dataset:s3://adco-us:audience/2026-03-02
                location: aws:us-east-1 → US (outside the EEA)
                since 2026-03-02 06:00:00Z (event 8), derived from dataset:s3://example-analytics:profiles/customer_profiles
                  by job:crm:export_audience run 0193a0c1-5e2f-7b3c-8d4e-000000000005: transfer for marketing.advertising on consent
              dataset:s3://example-analytics:profiles/customer_profiles
                location: aws:eu-west-1 → IE (EEA)
                since 2026-03-02 02:15:00Z (event 7), derived from dataset:postgres://crm-db:5432:crm.customers
                  by job:analytics:build_profiles run 0193a0c1-5e2f-7b3c-8d4e-000000000004: transform for marketing.profiling on legitimate_interests
              dataset:s3://example-backups:crm/customers-2026-03-05
                location: aws:eu-central-1 → DE (EEA)
                since 2026-03-05 02:00:00Z (event 17), derived from dataset:postgres://crm-db:5432:crm.customers
                  by job:ops:nightly_backup run 0193a0c1-5e2f-7b3c-8d4e-00000000000c: copy for essential.service on contract

            Collected:
              2026-03-01 10:03:00Z (event 4) into dataset:postgres://crm-db:5432:crm.leads by job:crm:import_leads from third_party "DataBroker GmbH"

            Recipients:
              AdCo Inc (processor, US) on 2026-03-02 06:00:00Z (event 8) by job:crm:export_audience: dataset:s3://adco-us:audience/2026-03-02

            Removed:
              2026-03-05 12:05:00Z (event 19) erasure from dataset:postgres://crm-db:5432:crm.customers by job:crm:erasure_requests
              2026-03-05 12:05:00Z (event 19) erasure from dataset:postgres://crm-db:5432:crm.leads by job:crm:erasure_requests

            """
        #expect(run.stdout == expected)
        // Alice and Carol, period by period: the dataset, since which event, confirmed or derived from where,
        // by which job, and until when.
        for (person, lines) in Self.trails where person != "bob" {
            let text = CLIRun(["subject"] + Self.identifiers[person]! + ["--store", store]).stdout
            #expect(text.contains("Held in \(lines.count) datasets, \(lines.filter { $0.contains("|now|") }.count) now:"))
            for line in lines {
                let field = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                let how = field[2] == "confirmed" ? "confirmed" : "derived from \(field[5])"
                #expect(text.contains("  \(field[0])\n"), "\(person): \(field[0])")
                #expect(text.contains("(event \(field[3])), \(how)\n"), "\(person): \(line)")
                if field[4] != "-" { #expect(text.contains("      by \(field[4]) run "), "\(person): \(line)") }
                #expect(!text.contains("until"), "\(person) was never removed from anything")
            }
        }
    }

    @Test func asOfBeforeTheErasureShowsBobStillInTheCustomerTable() throws {
        let (directory, store) = try ingestedStore()
        _ = directory
        let before = periods(try trailJSON(store, ["bob@example.com"], ["--as-of", "2026-03-05T12:00:00Z"]))
        #expect(before.contains("\(Self.crm)crm.customers|now|derived|5|job:crm:merge_leads|\(Self.crm)crm.leads|-|DE"))
        #expect(!before.contains { $0.hasPrefix("\(Self.crm)crm.customers_snapshot") })
        // A date means the end of that day: by the end of 1 March Bob was only in the leads and customers.
        let firstDay = periods(try trailJSON(store, ["bob@example.com"], ["--as-of", "2026-03-01"])).map { $0.split(separator: "|")[0] }
        #expect(firstDay == ["\(Self.crm)crm.customers", "\(Self.crm)crm.leads"])
    }

    @Test func knownAtHidesEventsRecordedLater() throws {
        let directory = TemporaryDirectory()
        let store = directory.file("split.db")
        let lines = try String(contentsOfFile: Self.fixture, encoding: .utf8).split(separator: "\n").map(String.init)
        let first = directory.file("first.jsonl"), second = directory.file("second.jsonl")
        try lines.prefix(10).joined(separator: "\n").write(toFile: first, atomically: true, encoding: .utf8)
        try lines.dropFirst(10).joined(separator: "\n").write(toFile: second, atomically: true, encoding: .utf8)
        let recorded = Date(timeIntervalSince1970: 1_772_400_000)
        #expect(CLIRun(["--store", store, "ingest", first], now: recorded).status == 0)
        #expect(CLIRun(["--store", store, "ingest", second], now: recorded.addingTimeInterval(3600)).status == 0)
        let early = CLIRun(["subject", "bob@example.com", "--store", store, "--known-at", "2026-03-01T21:30:00Z", "--format", "json"])
        let now = CLIRun(["subject", "bob@example.com", "--store", store, "--format", "json"])
        #expect(early.stdout.contains("crm.leads") && !early.stdout.contains("research.cohort") && !early.stdout.contains("erasure"))
        #expect(now.stdout.contains("research.cohort") && now.stdout.contains("erasure"))
    }

    @Test func anUnknownPersonIsNoDataHeldWithExitZero() throws {
        let (directory, store) = try ingestedStore()
        _ = directory
        let text = CLIRun(["subject", "nobody@example.com", "--store", store])
        #expect(text.status == 0)
        #expect(text.stdout == "No data held: Custody has no record of the 1 identifier given.\n")
        let json = try trailJSON(store, ["nobody@example.com"])
        #expect(json["holdsData"] as? Bool == false)
        #expect((json["datasets"] as? [Any])?.isEmpty == true)
    }

    @Test func anUnknownOrAmbiguousNodeIsExitTwoWithTheCandidates() throws {
        let (directory, store) = try ingestedStore()
        _ = directory
        let unknown = CLIRun(["lineage", "customers", "--store", store])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no dataset or job is called 'customers'"))
        #expect(unknown.stderr.contains("dataset:postgres://crm-db:5432:crm.customers"))
        #expect(unknown.stderr.contains("dataset:postgres://crm-db:5432:crm.customers_snapshot"))
        let typo = CLIRun(["dataset", "dataset:postgres://crm-db:5432:crm.custmers", "--store", store])
        #expect(typo.status == 2)
        // A namespace with colons is matched at every split.
        let exact = CLIRun(["dataset", "dataset:postgres://crm-db:5432:crm.customers", "--store", store, "--format", "json"])
        #expect(exact.status == 0, "\(exact.stderr)")
        let job = CLIRun(["lineage", "job:crm:export_audience", "--store", store, "--format", "json"])
        #expect(job.status == 0 && job.stdout.contains("\"dataset:s3://adco-us:audience/2026-03-02\""))
        #expect(CLIRun(["lineage", "crm.customers", "--store", store, "--direction", "sideways"]).status == 2)
    }

    @Test func verifyNamesAProjectionRowEditedBehindTheLogsBack() throws {
        for edit in [
            "UPDATE lineage_io SET dataset_id = dataset_id + 1 WHERE run_id = 5 AND direction = 'out'",
            "DELETE FROM lineage_subject WHERE kind = 'e'",
            "INSERT INTO lineage_run_event (seq, run_id, event_type, event_time, processing_id) VALUES (999, 1, 'COMPLETE', 0, NULL)",
            "UPDATE lineage_dataset_fact SET location = 'DE' WHERE location = 'aws:us-east-1'",
            // A legal basis changed in the one stored copy of a facet many runs share.
            "UPDATE lineage_processing SET facet = replace(facet, '\"consent\"', '\"contract\"') WHERE facet LIKE '%\"consent\"%'",
            // What a dataset's data was collected for, and when it was first written, as kept for the rules.
            "UPDATE lineage_held SET collection_purposes = '[]' WHERE collection_purposes != '[]'",
            "UPDATE lineage_held SET first_seq = first_seq + 1 WHERE first_seq IS NOT NULL",
        ] {
            let (directory, store) = try ingestedStore()
            _ = directory
            #expect(CLIRun(["verify", "--store", store]).status == 0)
            let queue = try DatabaseQueue(path: store)
            try queue.write { db in try db.execute(sql: edit) }
            try queue.close()
            let run = CLIRun(["verify", "--store", store])
            #expect(run.status == 1, "\(edit)")
            let table = edit.split(separator: " ").first { $0.hasPrefix("lineage_") }.map(String.init) ?? "?"
            #expect(run.stderr.contains("the projection table \(table), row ("), "\(edit): \(run.stderr)")
            // Rebuilding from the log repairs it.
            #expect(CLIRun(["rebuild", "--store", store]).status == 0)
            #expect(CLIRun(["verify", "--store", store]).status == 0)
        }
    }

    /// Purpose limitation and retention start from these two facts; a DPO checks them with `custody dataset`.
    @Test func aDatasetSaysWhatItsDataWasCollectedForAndWhereItWasFirstWritten() throws {
        let (directory, store) = try ingestedStore()
        _ = directory
        let text = CLIRun(["dataset", "profiles/customer_profiles", "--store", store])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("\n  collected for: essential.service, marketing.profiling\n"))
        #expect(text.stdout.contains("\n  first written: 2026-03-01 09:05:00Z (event 2) in dataset:postgres://crm-db:5432:crm.customers\n"))
        let json = CLIRun(["dataset", "profiles/customer_profiles", "--store", store, "--format", "json"])
        let dataset = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["dataset"] as? [String: Any])
        #expect(dataset["collectedFor"] as? [String] == ["essential.service", "marketing.profiling"])
        let first = try #require(dataset["firstWrite"] as? [String: Any])
        #expect(first["dataset"] as? String == "dataset:postgres://crm-db:5432:crm.customers")
        #expect((first["at"] as? [String: Any])?["seq"] as? Int == 2)
        // An aggregate's output is new data: its first write is its own, and what it holds was still collected for the same.
        let kpis = CLIRun(["dataset", "marts/weekly_kpis", "--store", store])
        #expect(kpis.stdout.contains("\n  collected for: essential.service, marketing.profiling\n"), "\(kpis.stdout)")
        #expect(kpis.stdout.contains("\n  first written: 2026-03-03 11:00:00Z (event 13)\n"), "\(kpis.stdout)")
    }

    @Test func aMissingLineageTableIsAnIntegrityFailureThatRebuildRepairs() throws {
        let (directory, store) = try ingestedStore()
        let queue = try DatabaseQueue(path: store)
        try queue.write { db in try db.execute(sql: "DROP TABLE lineage_io") }
        try queue.close()
        let verify = CLIRun(["verify", "--store", store])
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("the projection table lineage_io is missing from the store"))
        #expect(verify.stderr.contains("The log itself is intact"))
        let query = CLIRun(["subject", "bob@example.com", "--store", store])
        #expect(query.status == 1)
        #expect(query.stderr.contains("no such table: lineage_io") && query.stderr.contains("'custody rebuild'"))
        // The audit trail finds it while it judges its findings, on another thread, after its events: it fails the
        // same way and writes no file.
        let trail = directory.file("audit.xml")
        let audit = CLIRun(["report", "audit", "--store", store, "--format", "xml", "--output", trail])
        #expect(audit.status == 1)
        #expect(audit.stderr.contains("no such table: lineage_io") && audit.stderr.contains("'custody rebuild'"), "\(audit.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("audit") }.isEmpty)
        #expect(CLIRun(["rebuild", "--store", store]).status == 0)
        #expect(CLIRun(["verify", "--store", store]).status == 0)
        #expect(CLIRun(["subject", "bob@example.com", "--store", store]).status == 0)
    }
}
