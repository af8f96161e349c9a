import Foundation

/// Creates a store and its keys without ever leaving half of them behind.
///
/// The database is built under a temporary name beside the final one, `work` runs on it (a first
/// ingest appends its events there), and only when everything succeeded are the key files and then the
/// database renamed into place. On any error the temporary files are removed.
public enum StoreCreation {
    public static func create<Result>(
        _ paths: StorePaths,
        origin: String?,
        random: inout some RandomNumberGenerator,
        work: (EventStore, VaultKey, NoteSigner) throws -> Result
    ) throws -> Result {
        guard !paths.storeExists else { throw LogError(.storeUnavailable, "a store already exists at \(paths.store)") }
        let origin = origin ?? paths.defaultOrigin
        let suffix = ".creating-" + String(UInt64.random(in: .min ... .max, using: &random), radix: 36)
        var temporaryFiles: [String] = []
        var renames: [(from: String, to: String)] = []
        defer {
            for file in temporaryFiles { try? FileManager.default.removeItem(atPath: file) }
        }

        // A key file that already exists is a pre-provisioned key (or one left by an interrupted
        // creation): use it rather than fail or overwrite it.
        let vaultKey: VaultKey
        if FileManager.default.fileExists(atPath: paths.vaultKey) {
            vaultKey = try paths.readVaultKey()
        } else {
            vaultKey = VaultKey.generate(using: &random)
            try KeyFile.create(paths.vaultKey + suffix, text: vaultKey.serialized)
            temporaryFiles.append(paths.vaultKey + suffix)
            renames.append((paths.vaultKey + suffix, paths.vaultKey))
        }
        let signer: NoteSigner
        if FileManager.default.fileExists(atPath: paths.signingKey) {
            signer = try paths.readSigner()
            guard signer.name == origin else {
                throw LogError(.key, "the existing signing key \(paths.signingKey) is named '\(signer.name)', not '\(origin)'; pass --origin \(signer.name) or remove the key")
            }
        } else {
            do { signer = try NoteSigner.generate(name: origin, using: &random) } catch {
                throw LogError(.invalidInput, "'\(origin)' cannot be a checkpoint origin: \(error)")
            }
            try KeyFile.create(paths.signingKey + suffix, text: signer.serialized)
            temporaryFiles.append(paths.signingKey + suffix)
            renames.append((paths.signingKey + suffix, paths.signingKey))
        }

        let directory = URL(fileURLWithPath: paths.store).deletingLastPathComponent().path
        let temporaryStore = directory + "/." + URL(fileURLWithPath: paths.store).lastPathComponent + suffix
        temporaryFiles += [temporaryStore, temporaryStore + "-wal", temporaryStore + "-shm"]
        let store = try EventStore.create(at: temporaryStore, origin: origin, vaultKey: vaultKey, verifier: signer.verifier)
        let result: Result
        do {
            result = try work(store, vaultKey, signer)
            try store.close()
        } catch {
            try? store.close()
            throw error
        }
        renames.append((temporaryStore, paths.store))
        for rename in renames {
            guard Foundation.rename(rename.from, rename.to) == 0 else {
                throw LogError(.io, "cannot move \(rename.from) to \(rename.to): \(String(cString: strerror(errno)))")
            }
        }
        syncDirectory(directory)
        return result
    }

    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
