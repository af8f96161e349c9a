// A writer for the crash tests: appends batches of events to an existing store and prints each batch's
// id on standard output only after its commit returned. The test kills it with SIGKILL at random moments
// and then checks that every acknowledged batch is present in full, no partial batch is visible, and the
// lineage projections kept in the same transactions still match the log.
//
//     custody-crash-writer STORE BATCH_SIZE [SEED]
import CustodyLineage
import CustodyLog
import CustodyModel
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 3, let batchSize = Int(arguments[2]), batchSize > 0 else {
    FileHandle.standardError.write(Data("usage: custody-crash-writer STORE BATCH_SIZE [SEED]\n".utf8))
    exit(2)
}
let paths = StorePaths(store: arguments[1])
var random = SystemRandomNumberGenerator()
do {
    let store = try EventStore.open(at: paths.store)
    let vaultKey = try paths.readVaultKey()
    var next = try store.head().size
    while true {
        let lines = (0..<batchSize).map { offset -> String in
            let n = next + offset
            let hex = String(n, radix: 16)
            let runId = "0192f5b4-3c1e-7a2b-9d4e-" + String(repeating: "0", count: 12 - hex.count) + hex
            return #"{"eventType":"COMPLETE","eventTime":"2026-03-01T10:05:00Z","producer":"https://example.com/crash","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent","run":{"runId":"\#(runId)"},"job":{"namespace":"crash","name":"writer"},"outputs":[{"namespace":"pg","name":"t\#(n % 13)","facets":{"custody_personalData":{"_producer":"p","_schemaURL":"s","subjects":["person-\#(n % 101)@example.com"]}}}]}"#
        }
        let batchID = UUID()
        let summary = try Ingestor.ingest([IngestSource.bytes(Array(lines.joined(separator: "\n").utf8), name: "crash")],
            into: store, vaultKey: vaultKey, recordedAt: Date(), batchID: batchID, random: &random,
            projectors: [LineageProjector()])
        // The acknowledgement: written only after the commit returned.
        FileHandle.standardOutput.write(Data("\(summary.receipt.batchID)\n".utf8))
        next = summary.receipt.treeSize
    }
} catch {
    FileHandle.standardError.write(Data("custody-crash-writer: \(error)\n".utf8))
    exit(3)
}
