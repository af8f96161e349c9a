// custody-bench EVENTS.jsonl WORKDIR [BATCH]
//
// Measures, on a release build: end-to-end ingest (read, parse, validate, tokenise, canonicalise, hash,
// Merkle, append) in calls of BATCH events (0: the whole file in one call, as `custody ingest FILE`
// does); verify; and a baseline that inserts the same canonical bytes
// with bare sqlite3 prepared statements, the same batch size and synchronous=FULL. Prints one JSON object.
import CSQLiteBaseline
import CustodyLog
import CustodyModel
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

try? FileManager.default.removeItem(atPath: workDirectory)
try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
let paths = StorePaths(store: workDirectory + "/bench.db")
var random = SystemRandomNumberGenerator()
try StoreCreation.create(paths, origin: "bench.local/custody", random: &random) { _, _, _ in }
let store = try EventStore.open(at: paths.store)
let vaultKey = try paths.readVaultKey()

// 1. Ingest.
var events = 0
var calls = 0
let ingestStart = now()
let ingestCPUStart = cpuSeconds()
if wholeFile {
    let summary = try Ingestor.ingest([try IngestSource.file(eventsFile)], into: store, vaultKey: vaultKey,
        recordedAt: Date(), batchID: UUID(), random: &random)
    events = summary.receipt.eventCount
    calls = 1
} else {
    try forEachBatch(eventsFile) { bytes in
        let summary = try Ingestor.ingest([IngestSource.bytes(bytes, name: eventsFile)], into: store, vaultKey: vaultKey,
            recordedAt: Date(), batchID: UUID(), random: &random)
        events += summary.receipt.eventCount
        calls += 1
    }
}
let ingestSeconds = now() - ingestStart
let ingestCPU = cpuSeconds() - ingestCPUStart
let ingestRSS = peakRSSMegabytes()

// 2. Verify.
// Verify three times (the first from a cold page cache is the slowest); report the median.
var verifyRuns: [(wall: Double, cpu: Double)] = []
for _ in 0..<3 {
    let verifyStart = now()
    let verifyCPUStart = cpuSeconds()
    let report = try store.verify()
    verifyRuns.append((now() - verifyStart, cpuSeconds() - verifyCPUStart))
    guard report.isIntact, report.size == events else { fatalError("verify failed: \(report.problems.first?.message ?? "size")") }
}
verifyRuns.sort { $0.wall < $1.wall }
let (verifySeconds, verifyCPU) = verifyRuns[1]
let verifyRSS = peakRSSMegabytes()

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
    "peakRSSAfterIngestMB":\(String(format: "%.1f", ingestRSS)),"peakRSSAfterVerifyMB":\(String(format: "%.1f", verifyRSS)),\
    "storeBytes":\((try? FileManager.default.attributesOfItem(atPath: paths.store)[.size] as? Int) ?? 0),\
    "sqlite":"\(String(cString: sqlite3_libversion()!))"}
    """)
