import Foundation
import Crypto

/// The key ID of a note key: `SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]` (c2sp.org/signed-note).
func noteKeyID(name: String, publicKey: [UInt8]) -> [UInt8] {
    let digest = SHA256.hash(data: Array(name.utf8) + [0x0A, NoteVerifier.ed25519Type] + publicKey)
    return Array(digest.prefix(4))
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

private func validKeyName(_ name: String) -> Bool {
    !name.isEmpty && !name.contains(where: { $0.isWhitespace || $0 == "+" })
        && !name.unicodeScalars.contains(where: { $0.value < 0x20 })
}

/// An Ed25519 note verifier key, exchanged as `name+hex(key ID)+base64(0x01 ‖ public key)`.
/// Auditors get it from `custody key export`.
public struct NoteVerifier: Sendable, Equatable, CustomStringConvertible {
    static let ed25519Type: UInt8 = 0x01

    public let name: String
    public let keyID: [UInt8]
    public let publicKey: [UInt8]

    public init(name: String, publicKey: [UInt8]) {
        self.name = name
        self.publicKey = publicKey
        self.keyID = noteKeyID(name: name, publicKey: publicKey)
    }

    /// Parses the exchange form; rejects a key whose ID does not match its name and key.
    public init(parsing text: String) throws(CheckpointError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, validKeyName(parts[0]), parts[1].count == 8,
            let blob = Data(base64Encoded: parts[2]), blob.count == 33, blob.first == Self.ed25519Type
        else {
            throw CheckpointError("a verifier key looks like 'name+1a2b3c4d+AU…' (name, key ID, base64 Ed25519 key)")
        }
        self.init(name: parts[0], publicKey: Array(blob.dropFirst()))
        guard hex(keyID) == parts[1].lowercased() else {
            throw CheckpointError("the verifier key's ID does not match its name and public key")
        }
    }

    public var description: String {
        "\(name)+\(hex(keyID))+\(Data([Self.ed25519Type] + publicKey).base64EncodedString())"
    }

    /// Checks the note's signatures by this key. Signatures of other keys are ignored; a bad signature
    /// by this key, or none at all, is an error.
    public func verify(_ note: SignedNote) throws(CheckpointError) {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            throw CheckpointError("the verifier key is not a valid Ed25519 public key")
        }
        var verified = false
        for signature in note.signatures where signature.keyName == name && signature.keyID == keyID {
            guard key.isValidSignature(signature.signature, for: Array(note.text.utf8)) else {
                throw CheckpointError("the signature by '\(name)' does not verify: the checkpoint was altered or forged")
            }
            verified = true
        }
        guard verified else { throw CheckpointError("the note carries no signature by the key '\(name)'") }
    }
}

/// An Ed25519 note signer. Its file form is `PRIVATE+KEY+name+hex(key ID)+base64(0x01 ‖ seed)`, the
/// form Go's note package and the transparency-dev tools use.
public struct NoteSigner: Sendable {
    public let name: String
    private let seed: [UInt8]

    public init(name: String, seed: [UInt8]) throws(CheckpointError) {
        guard validKeyName(name) else { throw CheckpointError("a key name may not be empty or contain spaces or '+'") }
        guard seed.count == 32, (try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)) != nil else {
            throw CheckpointError("an Ed25519 signing key is a 32-byte seed")
        }
        self.name = name
        self.seed = seed
    }

    /// A new signer whose seed comes from `generator`.
    public static func generate(name: String, using generator: inout some RandomNumberGenerator) throws(CheckpointError) -> NoteSigner {
        var seed = [UInt8](repeating: 0, count: 32)
        for index in seed.indices { seed[index] = UInt8.random(in: .min ... .max, using: &generator) }
        return try NoteSigner(name: name, seed: seed)
    }

    public init(parsing text: String) throws(CheckpointError) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", let blob = Data(base64Encoded: parts[4]),
            blob.count == 33, blob.first == NoteVerifier.ed25519Type
        else { throw CheckpointError("a signing key file holds one line 'PRIVATE+KEY+name+keyid+base64'") }
        try self.init(name: parts[2], seed: Array(blob.dropFirst()))
        guard hex(verifier.keyID) == parts[3].lowercased() else {
            throw CheckpointError("the signing key's ID does not match its name and key")
        }
    }

    /// The file form; it is a secret.
    public var serialized: String {
        "PRIVATE+KEY+\(name)+\(hex(verifier.keyID))+\(Data([NoteVerifier.ed25519Type] + seed).base64EncodedString())\n"
    }

    private var privateKey: Curve25519.Signing.PrivateKey {
        // The seed was checked in init.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    public var verifier: NoteVerifier {
        NoteVerifier(name: name, publicKey: Array(privateKey.publicKey.rawRepresentation))
    }

    /// Signs `text` (which must end in a newline) and returns the note.
    public func sign(_ text: String) throws -> SignedNote {
        let signature = try privateKey.signature(for: Array(text.utf8))
        let verifier = self.verifier
        return SignedNote(text: text, signatures: [
            SignedNote.Signature(keyName: name, keyID: verifier.keyID, signature: Array(signature))
        ])
    }
}
