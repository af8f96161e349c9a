public import CustodyLog
import CustodyModel
public import Foundation

/// A store on a real file in a temporary folder, with its keys, for tests.
public struct TestStore {
    public let directory: TemporaryDirectory
    public let paths: StorePaths
    public let store: EventStore
    public let vaultKey: VaultKey
    public let signer: NoteSigner
    public var random: SeededGenerator

    public static let recordedAt = Date(timeIntervalSince1970: 1_772_400_000)

    public init(seed: UInt64 = 1, origin: String = "test.example/custody", fileName: String = "store.db") throws {
        directory = TemporaryDirectory()
        paths = StorePaths(store: directory.file(fileName))
        var random = SeededGenerator(seed: seed)
        try StoreCreation.create(paths, origin: origin, random: &random) { _, _, _ in }
        store = try EventStore.open(at: paths.store)
        vaultKey = try paths.readVaultKey()
        signer = try paths.readSigner()
        self.random = random
    }

    /// Ingests JSON Lines text as one call.
    @discardableResult
    public mutating func ingest(_ lines: [String], name: String = "events.jsonl", at date: Date = TestStore.recordedAt,
                                projectors: [any LogProjector] = []) throws -> IngestSummary {
        let source = IngestSource.bytes(Array(lines.joined(separator: "\n").utf8), name: name)
        return try Ingestor.ingest([source], into: store, vaultKey: vaultKey, recordedAt: date,
            batchID: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012x", random.next() & 0xFFFF_FFFF_FFFF))!,
            random: &random, projectors: projectors)
    }

    /// `count` distinct valid events, each naming two subjects.
    public static func events(_ count: Int, offset: Int = 0) -> [String] {
        (0..<count).map { index in
            EventFixtures.runEvent(runId: EventFixtures.runId(offset + index), job: "job-\(offset + index)",
                subjects: ["person-\((offset + index) % 7)@example.com", "cust-\(offset + index)"], output: "out/\(offset + index)")
        }
    }
}
