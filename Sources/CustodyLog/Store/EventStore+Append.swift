import CustodyModel
public import Foundation
package import GRDB

extension EventStore {
    /// Appends a batch in one `BEGIN IMMEDIATE` transaction. `fill` receives a `BatchAppender` and
    /// appends events to it; if `fill` throws, nothing of the call is kept (no event, no node, no vault
    /// entry, no projection row).
    ///
    /// - Parameters:
    ///   - recordedAt: the time recorded for every event of the batch (from the caller's clock).
    ///   - batchID: a fresh identifier for the batch.
    ///   - random: where subject tokens come from.
    public func append<Random: RandomNumberGenerator>(
        recordedAt: Date,
        batchID: UUID,
        vaultKey: VaultKey,
        random: inout Random,
        projectors: [any LogProjector] = [],
        _ fill: (BatchAppender) throws -> Void
    ) throws -> BatchReceipt {
        try appendTransaction(recordedAt: recordedAt, batchID: batchID, vaultKey: vaultKey, random: &random, projectors: projectors,
            keep: true, fill) { _, receipt in receipt }
    }

    /// Appends a batch as `append` does, runs `inspect` on the same connection with the batch and its
    /// projections in place, and then rolls everything back: a pre-flight (`custody decide`) that never
    /// writes. The write lock is held until `inspect` returns.
    package func trial<Random: RandomNumberGenerator, T>(
        recordedAt: Date,
        batchID: UUID,
        vaultKey: VaultKey,
        random: inout Random,
        projectors: [any LogProjector],
        _ fill: (BatchAppender) throws -> Void,
        inspect: (Database, BatchReceipt) throws -> T
    ) throws -> T {
        try appendTransaction(recordedAt: recordedAt, batchID: batchID, vaultKey: vaultKey, random: &random, projectors: projectors,
            keep: false, fill, then: inspect)
    }

    private func appendTransaction<Random: RandomNumberGenerator, T>(
        recordedAt: Date, batchID: UUID, vaultKey: VaultKey, random: inout Random, projectors: [any LogProjector], keep: Bool,
        _ fill: (BatchAppender) throws -> Void, then: (Database, BatchReceipt) throws -> T
    ) throws -> T {
        try checkVaultKey(vaultKey)
        var generator: any RandomNumberGenerator = random
        // Hand the advanced generator back, so a seeded caller never draws the same token twice.
        defer { if let advanced = generator as? Random { random = advanced } }
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    let appender = try BatchAppender(
                        db: db, batchID: batchID.uuidString.lowercased(), recordedAt: RFC3339.format(recordedAt),
                        vaultKey: vaultKey, generator: generator, projectors: projectors)
                    try fill(appender)
                    let receipt = try appender.finish()
                    generator = appender.generator
                    result = try then(db, receipt)
                    return keep ? .commit : .rollback
                }
                return result!
            }
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }
}
