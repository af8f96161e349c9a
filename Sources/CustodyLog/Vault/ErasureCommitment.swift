import Crypto
import Foundation

/// How an erasure request names its person in the log: a salted SHA-256 commitment to their tokens.
/// With the salt (kept beside the vault until the request is forgotten) Custody can show which tokens a
/// request covers; without it the commitment leads nowhere.
public enum ErasureCommitment {
    /// A fresh 32-byte salt.
    public static func salt(using generator: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// `base64(SHA-256(salt ‖ token₁ "\n" token₂ "\n" …))` over the tokens in sorted order.
    public static func commitment(salt: [UInt8], tokens: [String]) -> String {
        var hash = SHA256()
        hash.update(data: salt)
        for token in tokens.sorted() { hash.update(data: Array((token + "\n").utf8)) }
        return Data(hash.finalize()).base64EncodedString()
    }
}
