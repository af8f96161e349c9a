import Foundation

/// A C2SP signed note: a text that ends in a newline, a blank line, and one or more signature lines
/// `— <key name> <base64(key ID ‖ signature)>` (the dash is U+2014 EM DASH).
public struct SignedNote: Sendable, Equatable {
    /// One signature line.
    public struct Signature: Sendable, Equatable {
        public let keyName: String
        public let keyID: [UInt8]
        public let signature: [UInt8]

        public init(keyName: String, keyID: [UInt8], signature: [UInt8]) {
            self.keyName = keyName
            self.keyID = keyID
            self.signature = signature
        }

        var line: String {
            "\u{2014} \(keyName) \(Data(keyID + signature).base64EncodedString())\n"
        }
    }

    /// The signed text, ending in a newline.
    public let text: String
    public let signatures: [Signature]

    /// Verifiers must accept at least 16 signatures; more than this many is rejected as abuse.
    public static let maximumSignatures = 100

    public init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    /// The note as it is stored and exchanged.
    public var serialized: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Parses a signed note strictly: valid UTF-8 without control characters other than newline, a
    /// blank line before the signatures, and well-formed signature lines.
    public init(parsing note: String) throws(CheckpointError) {
        guard !note.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F }) else {
            throw CheckpointError("a signed note may contain no control characters other than newline")
        }
        guard let separator = note.range(of: "\n\n", options: .backwards) else {
            throw CheckpointError("a signed note needs a blank line between its text and its signatures")
        }
        let text = String(note[..<separator.lowerBound]) + "\n"
        let signatureBlock = note[separator.upperBound...]
        guard signatureBlock.hasSuffix("\n") else { throw CheckpointError("a signed note must end with a newline") }
        var signatures: [Signature] = []
        for line in signatureBlock.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("\u{2014} ") else {
                throw CheckpointError("a signature line must start with an em dash (U+2014) and a space")
            }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[0].isEmpty, !fields[0].contains("+") else {
                throw CheckpointError("a signature line must be '\u{2014} <key name> <base64 signature>'")
            }
            guard let blob = Data(base64Encoded: String(fields[1])), blob.count >= 5,
                blob.base64EncodedString() == fields[1]
            else {
                throw CheckpointError("the signature of key '\(fields[0])' is not valid base64 of a key ID and a signature")
            }
            signatures.append(Signature(keyName: String(fields[0]), keyID: Array(blob.prefix(4)), signature: Array(blob.dropFirst(4))))
        }
        guard !signatures.isEmpty else { throw CheckpointError("a signed note needs at least one signature") }
        guard signatures.count <= Self.maximumSignatures else {
            throw CheckpointError("a signed note with more than \(Self.maximumSignatures) signatures is rejected")
        }
        self.init(text: text, signatures: signatures)
    }
}
