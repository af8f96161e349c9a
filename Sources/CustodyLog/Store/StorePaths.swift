import Foundation

/// The three files of a store: the database and its two secrets.
public struct StorePaths: Sendable, Equatable {
    public let store: String
    public let vaultKey: String
    public let signingKey: String

    /// Keys beside the store (`PATH.vault-key`, `PATH.signing-key`) unless other places are named.
    public init(store: String, vaultKey: String? = nil, signingKey: String? = nil) {
        self.store = store
        self.vaultKey = vaultKey ?? store + ".vault-key"
        self.signingKey = signingKey ?? store + ".signing-key"
    }

    /// The default checkpoint origin: `custody.local/` and the store's file name without its extension.
    public var defaultOrigin: String {
        let name = URL(fileURLWithPath: store).deletingPathExtension().lastPathComponent
        let cleaned = name.map { $0.isWhitespace || $0 == "+" ? "-" : $0 }
        return "custody.local/" + String(cleaned.isEmpty ? Array("store") : cleaned)
    }

    public var storeExists: Bool { FileManager.default.fileExists(atPath: store) }

    public func readVaultKey() throws(LogError) -> VaultKey {
        try VaultKey(parsing: KeyFile.read(vaultKey, what: "vault key"))
    }

    public func readSigner() throws(LogError) -> NoteSigner {
        do { return try NoteSigner(parsing: try KeyFile.read(signingKey, what: "signing key")) } catch let error as CheckpointError {
            throw LogError(.key, "the signing key file \(signingKey) is not valid: \(error)")
        } catch let error as LogError { throw error } catch { throw LogError(.key, "\(error)") }
    }
}
