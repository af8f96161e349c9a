import Crypto
import Foundation

/// The secret that keys subject lookups: the vault maps `HMAC-SHA256(vault key, identifier)` to a token.
/// It lives in a file outside the database (`STORE.vault-key`); without it nobody can tell which token
/// stands for which person.
public struct VaultKey: Sendable {
    private let bytes: [UInt8]
    /// The key of tombstones, derived from this one for that use alone.
    private let tombstoneKey: [UInt8]

    public init(bytes: [UInt8]) throws(LogError) {
        guard bytes.count == 32 else { throw LogError(.key, "a vault key is 32 bytes") }
        self.bytes = bytes
        tombstoneKey = Array(HMAC<SHA256>.authenticationCode(for: Array("custody/tombstone-key/v1".utf8), using: SymmetricKey(data: bytes)))
    }

    private var key: SymmetricKey { SymmetricKey(data: bytes) }

    public static func generate(using generator: inout some RandomNumberGenerator) -> VaultKey {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: .min ... .max, using: &generator) }
        return try! VaultKey(bytes: bytes)  // 32 bytes by construction
    }

    /// The key file's content: a header line and the key in base64.
    public var serialized: String {
        "custody-vault-key-v1\n" + Data(bytes).base64EncodedString() + "\n"
    }

    public init(parsing text: String) throws(LogError) {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.count == 2, lines[0] == "custody-vault-key-v1", let data = Data(base64Encoded: lines[1]) else {
            throw LogError(.key, "not a Custody vault key file (expected 'custody-vault-key-v1' and a base64 key)")
        }
        try self.init(bytes: Array(data))
    }

    /// The vault's lookup key for an identifier.
    func lookup(_ normalizedIdentifier: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(normalizedIdentifier.utf8), using: key))
    }

    /// The tombstone of an erased identifier: an HMAC under a key derived from this one for that use
    /// alone, so a tombstone never equals the vault lookup of the same identifier and cannot be turned
    /// into it.
    func tombstone(_ normalizedIdentifier: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(normalizedIdentifier.utf8), using: SymmetricKey(data: tombstoneKey)))
    }

    /// A value stored in the database that proves a key is the store's own without revealing it.
    var checkValue: [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("custody/vault-key-check/v1".utf8), using: key))
    }
}
