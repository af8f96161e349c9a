// custody-bench EVENTS.jsonl WORKDIR [BATCH]
//
// Measures, on a release build: end-to-end ingest (read, parse, validate, tokenise, canonicalise, hash,
// Merkle, append, and the lineage projections kept in the same transaction) in calls of BATCH events
// (0: the whole file in one call, as `custody ingest FILE` does); verify, alone and with the comparison
// of the projections; rebuild of the projections; upstream and downstream lineage of random datasets to
// 10 hops; the full trail of random people; and a baseline that inserts the same canonical bytes with bare
// sqlite3 prepared statements, the same batch size and synchronous=FULL. Prints one JSON object.
//
// CUSTODY_BENCH_ONLY=ingest stops after ingest (for profiling one phase); =queries and =rebuild reuse the
// store a previous run left in WORKDIR and run only the lineage queries or only a rebuild; =check times the
// policy engine's whole-store check, =runs and =datasets the two whole-store lineage reads it starts with,
// =decide the judgement of one proposed event against the store, =reports the DSAR and the audit trail
// (CUSTODY_BENCH_DSARS people; CUSTODY_BENCH_AUDIT=0 leaves the audit trail out), =parts the audit trail's
// findings of the whole log alone, judged a part at a time (`PolicyEngine.forEachFinding(citing:...)`;
// CUSTODY_BENCH_PART events a part, CUSTODY_BENCH_PROFILES profiles kept between parts), with the peak memory.
// Every mode named here but ingest reuses the store a previous run left in WORKDIR.
import CSQLiteBaseline
import CustodyLineage
import CustodyLog
import CustodyModel
import CustodyPack
import CustodyPolicy
import CustodyReports
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: custody-bench EVENTS.jsonl WORKDIR [BATCH]\n".utf8))
    exit(2)
}
let eventsFile = arguments[1]
let workDirectory = arguments[2]
let requestedBatch = arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000
let wholeFile = requestedBatch == 0
let batchSize = wholeFile ? Int.max : requestedBatch

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Reads JSON Lines in batches of `batchSize` lines, without holding the file in memory.
func forEachBatch(_ path: String, _ body: ([UInt8]) throws -> Void) throws {
    guard let handle = FileHandle(forReadingAtPath: path) else { fatalError("cannot read \(path)") }
    var pending: [UInt8] = []
    var lines = 0
    var batch: [UInt8] = []
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        pending.append(contentsOf: chunk)
        var start = 0
        while let newline = pending[start...].firstIndex(of: 0x0A) {
            batch.append(contentsOf: pending[start...newline])
            start = newline + 1
            lines += 1
            if lines == batchSize {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
                lines = 0
            }
        }
        pending.removeFirst(start)
    }
    batch.append(contentsOf: pending)
    if !batch.isEmpty { try body(batch) }
}

let only = ProcessInfo.processInfo.environment["CUSTODY_BENCH_ONLY"]
let paths = StorePaths(store: workDirectory + "/bench.db")
var random = SystemRandomNumberGenerator()
let reusesStore = ["queries", "rebuild", "check", "decide", "datasets", "runs", "reports", "parts"].contains(only ?? "")
if !reusesStore {
    try? FileManager.default.removeItem(atPath: workDirectory)
    try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
    try StoreCreation.create(paths, origin: "bench.local/custody", random: &random) { _, _, _ in }
}
let store = try EventStore.open(at: paths.store)

/// Ends a mode that stops early the way a command ends: with the store closed, so its write-ahead log is folded
/// into the main file and removed. A process that exits with the store open leaves the log behind; the next
/// one recovers it whole on opening and appends to it, so runs of a reusing mode grew it to gigabytes and
/// measured every read against it.
func finish() -> Never {
    do { try store.close() } catch { fatalError("closing the store: \(error)") }
    exit(0)
}
let vaultKey = try paths.readVaultKey()

// 1. Ingest.
var events = 0
var calls = 0
let ingestStart = now()
let ingestCPUStart = cpuSeconds()
if reusesStore {
    events = try store.head().size
} else if wholeFile {
    let summary = try Ingestor.ingest([try IngestSource.file(eventsFile)], into: store, vaultKey: vaultKey,
        recordedAt: Date(), batchID: UUID(), random: &random, projectors: [LineageProjector()])
    events = summary.receipt.eventCount
    calls = 1
} else {
    try forEachBatch(eventsFile) { bytes in
        let summary = try Ingestor.ingest([IngestSource.bytes(bytes, name: eventsFile)], into: store, vaultKey: vaultKey,
            recordedAt: Date(), batchID: UUID(), random: &random, projectors: [LineageProjector()])
        events += summary.receipt.eventCount
        calls += 1
    }
}
let ingestSeconds = now() - ingestStart
let ingestCPU = cpuSeconds() - ingestCPUStart
let ingestRSS = peakRSSMegabytes()
if only == "ingest" {
    print("{\"events\":\(events),\"ingestSeconds\":\(String(format: "%.3f", ingestSeconds)),\"ingestEventsPerSecond\":\(Int(Double(events) / ingestSeconds))}")
    finish()
}

if only == "datasets" || only == "runs" {
    let lineage = try Lineage(store: store, pack: try PolicyPack.builtIn())
    let t = now()
    if only == "runs" { _ = try lineage.runs() } else { _ = try lineage.datasets() }
    print("\(only!) \(now() - t)")
    finish()
}
if only == "check" {
    let pack = try PolicyPack.builtIn()
    var seconds: [Double] = []
    var findings = 0
    for _ in 0..<3 {
        // A check frees the store's runs and profiles on the other core after returning: let that finish
        // first, as it would between two commands.
        Thread.sleep(forTimeInterval: 1)
        let start = now()
        let result = try PolicyEngine(pack: pack).check(try Lineage(store: store, pack: pack), now: Date())
        seconds.append(now() - start)
        findings = result.findings.count
    }
    seconds.sort()
    print("{\"events\":\(events),\"checkSeconds\":\(String(format: "%.3f", seconds[1])),\"findings\":\(findings)}")
    finish()
}
if only == "rebuild" {
    let rebuildStart = now()
    _ = try store.rebuildProjections([LineageProjector()])
    let seconds = now() - rebuildStart
    print("{\"events\":\(events),\"rebuildSeconds\":\(String(format: "%.3f", seconds)),\"rebuildEventsPerSecond\":\(Int(Double(events) / seconds))}")
    finish()
}

// 2. Verify.
// Verify three times (the first from a cold page cache is the slowest); report the median.
var verifyRuns: [(wall: Double, cpu: Double)] = []
let asksOnly = only == "queries" || only == "decide" || only == "reports" || only == "parts"
for _ in 0..<(asksOnly ? 0 : 3) {
    let verifyStart = now()
    let verifyCPUStart = cpuSeconds()
    let report = try store.verify()
    verifyRuns.append((now() - verifyStart, cpuSeconds() - verifyCPUStart))
    guard report.isIntact, report.size == events else { fatalError("verify failed: \(report.problems.first?.message ?? "size")") }
}
verifyRuns.sort { $0.wall < $1.wall }
let (verifySeconds, verifyCPU) = verifyRuns.isEmpty ? (0, 0) : verifyRuns[1]
let verifyRSS = peakRSSMegabytes()

// 2b. Verify with the replay and comparison of the projections; rebuild.
var projectionVerifySeconds = 0.0, rebuildSeconds = 0.0
if !asksOnly {
    let projectionVerifyStart = now()
    let projectionReport = try store.verify(projectors: [LineageProjector()])
    projectionVerifySeconds = now() - projectionVerifyStart
    guard projectionReport.isIntact else { fatalError("verify with projections failed: \(projectionReport.problems.first?.message ?? "")") }
    let rebuildStart = now()
    _ = try store.rebuildProjections([LineageProjector()])
    rebuildSeconds = now() - rebuildStart
}

// 2c. Queries, from a warm store: each answer opens its own read transaction, as a command does.
/// splitmix64, so every run asks about the same datasets and people.
struct Picker {
    var state: UInt64 = 0x5EED
    mutating func below(_ n: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(n))
    }
}
func percentiles(_ samples: [Double]) -> (p50: Double, p99: Double) {
    let sorted = samples.sorted()
    return (sorted[sorted.count / 2] * 1000, sorted[min(sorted.count - 1, sorted.count * 99 / 100)] * 1000)
}
let lineage = try Lineage(store: store, pack: try PolicyPack.builtIn())
let datasetCount = events  // sources + one output per run: dataset ids run 0..<S+N
var picker = Picker()
if only == "decide" {
    // One proposed event a run: a new run reads a random dataset and sends a copy to a processor in the US,
    // with no transfer mechanism: judged against the store, nothing kept.
    let engine = PolicyEngine(pack: lineage.pack)
    var samples: [Double] = [], denied = 0
    for index in 0..<50 {
        let input = try lineage.resolve(String(format: "ds-%08d", picker.below(datasetCount)))
        let event = """
            {"eventType":"COMPLETE","eventTime":"2023-11-20T10:00:00Z","producer":"https://bench.example/gen",\
            "schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",\
            "run":{"runId":"00000000-0000-4000-8000-\(String(format: "%012d", index))","facets":{"custody_processing":{\
            "_producer":"https://bench.example/gen","_schemaURL":"https://bench.example/gen/proc.json","operation":"transfer",\
            "purposes":["analytics.reporting"],"legalBasis":"legitimate_interests",\
            "recipient":{"name":"US Analytics Inc.","role":"processor","country":"US"}}}},\
            "job":{"namespace":"bench","name":"proposed-export"},\
            "inputs":[{"namespace":"\(input.namespace)","name":"\(input.name)"}],\
            "outputs":[{"namespace":"s3://bench-export","name":"export-\(index)","facets":{"custody_personalData":{\
            "_producer":"https://bench.example/gen","_schemaURL":"https://bench.example/gen/pd.json","location":"aws:us-east-1"}}}]}
            """
        let start = now()
        let decision = try engine.decide([IngestSource.bytes(Array(event.utf8), name: "proposed.json")], store: store, vaultKey: vaultKey,
            recordedAt: Date(), random: &random)
        samples.append(now() - start)
        if !decision.allowed { denied += 1 }
    }
    let (p50, p99) = percentiles(samples)
    print("{\"decideP50ms\":\(String(format: "%.3f", p50)),\"decideP99ms\":\(String(format: "%.3f", p99)),\"denied\":\(denied),\"decisions\":\(samples.count)}")
    finish()
}
if only == "parts" {
    // The audit trail's findings judged part by part, as a trail of bounded memory would: against `=check`.
    let pinned = try lineage.pinned()
    let start = now()
    var count = 0, parts = 0
    let size = Int(ProcessInfo.processInfo.environment["CUSTODY_BENCH_PART"] ?? "") ?? PolicyEngine.eventsPerPart
    let kept = Int(ProcessInfo.processInfo.environment["CUSTODY_BENCH_PROFILES"] ?? "") ?? PolicyEngine.profilesKept
    try PolicyEngine(pack: pinned.pack).forEachFinding(citing: 0..<events, in: pinned, now: Date(), eventsPerPart: size, profilesKept: kept) {
        count += $0.count
        parts += 1
    }
    print("{\"partsSeconds\":\(String(format: "%.2f", now() - start)),\"findings\":\(count),\"parts\":\(parts),\"peakRSSMB\":\(peakRSSMegabytes())}")
    finish()
}
if only == "reports" {
    // A DSAR for one person (a trail of a few hundred datasets, with inclusion proofs), as XML and as HTML;
    // then the audit trail of the whole store as XML, streamed, with the peak memory before and after.
    let pinned = try lineage.pinned()
    let scratch = workDirectory + "/reports"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    var xmlSamples: [Double] = [], htmlSamples: [Double] = [], sizes: [Int] = [], proofs: [Int] = []
    var trailSeconds: [Double] = [], profileSeconds: [Double] = [], buildSeconds: [Double] = []
    let persons = Int(ProcessInfo.processInfo.environment["CUSTODY_BENCH_DSARS"] ?? "") ?? 20
    for index in 0..<persons {
        let person = String(format: "subject-%05d@example.com", picker.below(5000))
        // The two lineage questions a DSAR asks, timed alone: the trail, then the profiles of its datasets.
        let trailStart = now()
        let trail = try pinned.subject([SubjectIdentifier(person)!], vaultKey: vaultKey)
        let profileStart = now()
        _ = try pinned.categories(of: trail.datasets.map(\.dataset))
        trailSeconds.append(profileStart - trailStart)
        profileSeconds.append(now() - profileStart)
        for format in [ReportFormat.xml, .html] {
            let start = now()
            let report = try DSARReport(lineage: pinned, identifiers: [person], vaultKey: vaultKey, received: nil, engineVersion: "bench", now: Date())
            buildSeconds.append(now() - start)
            try ReportRenderer().write(report, format: format, to: scratch + "/dsar-\(index).\(format.fileExtension)")
            if format == .html {
                htmlSamples.append(now() - start)
            } else {
                xmlSamples.append(now() - start)
                sizes.append(report.copyLocations.count)
                proofs.append(report.proofs.count)
            }
        }
    }
    let (xmlP50, xmlP99) = percentiles(xmlSamples)
    let (htmlP50, htmlP99) = percentiles(htmlSamples)
    if ProcessInfo.processInfo.environment["CUSTODY_BENCH_AUDIT"] == "0" {
        print("""
            {"dsarXmlP50ms":\(String(format: "%.1f", xmlP50)),"dsarHtmlP50ms":\(String(format: "%.1f", htmlP50)),\
            "trailP50ms":\(String(format: "%.1f", percentiles(trailSeconds).p50)),"profilesP50ms":\(String(format: "%.1f", percentiles(profileSeconds).p50)),\
            "dsarBuildP50ms":\(String(format: "%.1f", percentiles(buildSeconds).p50))}
            """)
        finish()
    }
    // Where an audit trail's time goes: reading the events back, then turning them into report trees.
    var eventCount = 0
    let readStart = now()
    try pinned.forEachEvent(in: 0..<events) { _ in eventCount += 1 }
    let readSeconds = now() - readStart
    let rssBefore = peakRSSMegabytes()
    // The findings are judged a part of the log at a time while the trail is written (`AuditReport.forEachFinding`).
    let auditStart = now()
    let audit = try AuditReport(lineage: pinned, from: nil, to: nil, engineVersion: "bench", now: Date())
    try ReportRenderer().write(audit, format: .xml, to: scratch + "/audit.xml")
    let auditWritten = now()
    let rssAfter = peakRSSMegabytes()
    // The findings written, counted line by line (each `<finding>` opens a line of its own).
    var findingCount = 0
    let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: scratch + "/audit.xml"))
    var carried: [UInt8] = []
    while let chunk = try file.read(upToCount: 1 << 20), !chunk.isEmpty {
        var lines = (carried + chunk).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        carried = Array(lines.removeLast())
        findingCount += lines.count { $0.elementsEqual("    <finding>".utf8) }
    }
    try file.close()
    print("""
        {"dsarXmlP50ms":\(String(format: "%.1f", xmlP50)),"dsarXmlP99ms":\(String(format: "%.1f", xmlP99)),\
        "dsarHtmlP50ms":\(String(format: "%.1f", htmlP50)),"dsarHtmlP99ms":\(String(format: "%.1f", htmlP99)),\
        "dsarMedianDatasets":\(sizes.sorted()[sizes.count / 2]),"trailP50ms":\(String(format: "%.1f", percentiles(trailSeconds).p50)),\
        "profilesP50ms":\(String(format: "%.1f", percentiles(profileSeconds).p50)),"dsarMedianProofs":\(proofs.sorted()[proofs.count / 2]),\
        "auditEvents":\(audit.period.events),"auditReadEventsPerSecond":\(Int(Double(eventCount) / readSeconds)),"auditFindings":\(findingCount),\
        "auditXmlSeconds":\(String(format: "%.2f", auditWritten - auditStart)),\
        "auditXmlEventsPerSecond":\(Int(Double(audit.period.events) / (auditWritten - auditStart))),\
        "peakRSSBeforeAuditMB":\(rssBefore),"peakRSSAfterAuditMB":\(rssAfter)}
        """)
    finish()
}
var upSamples: [Double] = [], downSamples: [Double] = [], trailSamples: [Double] = [], trailSizes: [Int] = []
for _ in 0..<1000 {
    let name = String(format: "ds-%08d", picker.below(datasetCount))
    let upStart = now()
    let up = try lineage.graph(around: name, direction: .up, depth: 10)
    upSamples.append(now() - upStart)
    let downStart = now()
    let down = try lineage.graph(around: name, direction: .down, depth: 10)
    downSamples.append(now() - downStart)
    if up.nodes.isEmpty || down.nodes.isEmpty { fatalError("no node \(name)") }
}
for _ in 0..<300 {
    let person = SubjectIdentifier(String(format: "subject-%05d@example.com", picker.below(5000)))!
    let start = now()
    let trail = try lineage.subject([person], vaultKey: vaultKey)
    trailSamples.append(now() - start)
    trailSizes.append(trail.datasets.count)
}
let (upP50, upP99) = percentiles(upSamples)
let (downP50, downP99) = percentiles(downSamples)
let (trailP50, trailP99) = percentiles(trailSamples)
let trailMedianDatasets = trailSizes.sorted()[trailSizes.count / 2]
if only == "queries" {
    print("""
        {"lineageUpP50ms":\(String(format: "%.3f", upP50)),"lineageUpP99ms":\(String(format: "%.3f", upP99)),\
        "lineageDownP50ms":\(String(format: "%.3f", downP50)),"lineageDownP99ms":\(String(format: "%.3f", downP99)),\
        "subjectTrailP50ms":\(String(format: "%.3f", trailP50)),"subjectTrailP99ms":\(String(format: "%.3f", trailP99)),\
        "subjectTrailMedianDatasets":\(trailMedianDatasets)}
        """)
    finish()
}

// 3. Baseline: the same canonical leaf bytes, bare sqlite3, same batch size, WAL + synchronous=FULL.
let leaves: [[UInt8]] = try {
    var all: [[UInt8]] = []
    all.reserveCapacity(events)
    var next = 0
    while true {
        let page = try store.entries(from: next, limit: 10_000)
        guard let last = page.last else { break }
        all += page.map(\.leaf)
        next = last.seq + 1
    }
    return all
}()
try store.close()
/// Inserts `leaves` into a bare table with one prepared statement per batch; returns the seconds taken.
func runBaseline(leaves: [[UInt8]], path: String, batchSize: Int) -> Double {
    var db: OpaquePointer?
    guard sqlite3_open(path, &db) == SQLITE_OK else { fatalError("baseline open") }
    defer { sqlite3_close(db) }
    func exec(_ sql: String) {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { fatalError("baseline: \(String(cString: sqlite3_errmsg(db)))") }
    }
    exec("PRAGMA journal_mode = WAL")
    exec("PRAGMA synchronous = FULL")
    exec("CREATE TABLE log_entry (seq INTEGER PRIMARY KEY NOT NULL, leaf BLOB NOT NULL) STRICT")
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    let start = now()
    var seq = 0
    while seq < leaves.count {
        exec("BEGIN IMMEDIATE")
        var statement: OpaquePointer?
        sqlite3_prepare_v2(db, "INSERT INTO log_entry (seq, leaf) VALUES (?, ?)", -1, &statement, nil)
        for index in seq..<(leaves.count - seq <= batchSize ? leaves.count : seq + batchSize) {
            sqlite3_bind_int64(statement, 1, Int64(index))
            leaves[index].withUnsafeBytes { _ = sqlite3_bind_blob(statement, 2, $0.baseAddress, Int32($0.count), transient) }
            guard sqlite3_step(statement) == SQLITE_DONE else { fatalError("baseline insert") }
            sqlite3_reset(statement)
        }
        sqlite3_finalize(statement)
        exec("COMMIT")
        seq = leaves.count - seq <= batchSize ? leaves.count : seq + batchSize
    }
    return now() - start
}
let baselineSeconds = runBaseline(leaves: leaves, path: workDirectory + "/baseline.db", batchSize: batchSize)

let ingestRate = Double(events) / ingestSeconds
let baselineRate = Double(events) / baselineSeconds
print("""
    {"events":\(events),"batchSize":\(wholeFile ? events : batchSize),"calls":\(calls),\
    "ingestSeconds":\(String(format: "%.3f", ingestSeconds)),"ingestCPUSeconds":\(String(format: "%.3f", ingestCPU)),"ingestEventsPerSecond":\(Int(ingestRate)),\
    "verifySeconds":\(String(format: "%.3f", verifySeconds)),"verifyCPUSeconds":\(String(format: "%.3f", verifyCPU)),"verifyEventsPerSecond":\(Int(Double(events) / verifySeconds)),\
    "baselineSeconds":\(String(format: "%.3f", baselineSeconds)),"baselineEventsPerSecond":\(Int(baselineRate)),\
    "ingestToBaselineRatio":\(String(format: "%.3f", ingestRate / baselineRate)),\
    "verifyWithProjectionsSeconds":\(String(format: "%.3f", projectionVerifySeconds)),\
    "rebuildSeconds":\(String(format: "%.3f", rebuildSeconds)),"rebuildEventsPerSecond":\(Int(Double(events) / rebuildSeconds)),\
    "lineageUpP50ms":\(String(format: "%.3f", upP50)),"lineageUpP99ms":\(String(format: "%.3f", upP99)),\
    "lineageDownP50ms":\(String(format: "%.3f", downP50)),"lineageDownP99ms":\(String(format: "%.3f", downP99)),\
    "subjectTrailP50ms":\(String(format: "%.3f", trailP50)),"subjectTrailP99ms":\(String(format: "%.3f", trailP99)),\
    "subjectTrailMedianDatasets":\(trailMedianDatasets),\
    "peakRSSAfterIngestMB":\(String(format: "%.1f", ingestRSS)),"peakRSSAfterVerifyMB":\(String(format: "%.1f", verifyRSS)),\
    "storeBytes":\((try? FileManager.default.attributesOfItem(atPath: paths.store)[.size] as? Int) ?? 0),\
    "sqlite":"\(String(cString: sqlite3_libversion()!))"}
    """)
