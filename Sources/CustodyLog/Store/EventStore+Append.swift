import CustodyModel
public import Foundation
import GRDB

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
        try checkVaultKey(vaultKey)
        var generator: any RandomNumberGenerator = random
        // Hand the advanced generator back, so a seeded caller never draws the same token twice.
        defer { if let advanced = generator as? Random { random = advanced } }
        do {
            return try queue.writeWithoutTransaction { db in
                var receipt: BatchReceipt?
                try db.inTransaction(.immediate) {
                    let appender = try BatchAppender(
                        db: db, batchID: batchID.uuidString.lowercased(), recordedAt: RFC3339.format(recordedAt),
                        vaultKey: vaultKey, generator: generator, projectors: projectors)
                    try fill(appender)
                    receipt = try appender.finish()
                    generator = appender.generator
                    return .commit
                }
                return receipt!
            }
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }
}
