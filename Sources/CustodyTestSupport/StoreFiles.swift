import Foundation

/// The raw files of a store (database, WAL, shared memory), read as bytes: what remains on disk whatever
/// the tables say.
public enum StoreFiles {
    /// The files of the store at `path` that contain any of `needles`, by suffix (`""`, `-wal`, `-shm`).
    public static func holding(_ needles: [[UInt8]], store path: String) -> [String] {
        ["", "-wal", "-shm"].filter { suffix in
            guard let bytes = FileManager.default.contents(atPath: path + suffix) else { return false }
            return needles.contains { !$0.isEmpty && bytes.range(of: Data($0)) != nil }
        }.map { $0.isEmpty ? "database" : $0 }
    }
}
