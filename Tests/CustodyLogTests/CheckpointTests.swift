import CustodyLog
import CustodyTestSupport
import Foundation
import Testing

struct CheckpointTests {
    // The example key pair and note of Go's golang.org/x/mod/sumdb/note documentation (BSD licence),
    // the reference implementation of the signed-note format: interoperability, not just self-consistency.
    static let goSigningKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let goVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let goText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let goNote = goText + "\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    @Test func keyIDsAndKeyFormatsMatchGosNotePackage() throws {
        let signer = try NoteSigner(parsing: Self.goSigningKey)
        #expect(signer.verifier.description == Self.goVerifierKey)
        #expect(signer.serialized == Self.goSigningKey + "\n")
        #expect(try NoteVerifier(parsing: Self.goVerifierKey) == signer.verifier)
    }

    @Test func verifiesANoteSignedByGo() throws {
        let note = try SignedNote(parsing: Self.goNote)
        try NoteVerifier(parsing: Self.goVerifierKey).verify(note)
        #expect(note.serialized == Self.goNote)
        #if os(Linux)
        // BoringSSL's Ed25519 is deterministic, as RFC 8032 specifies: the same key signs the same bytes.
        #expect(try NoteSigner(parsing: Self.goSigningKey).sign(Self.goText).serialized == Self.goNote)
        #endif
    }

    private func signedCheckpoint(size: Int = 20852163) throws -> (String, NoteVerifier) {
        var random = SeededGenerator(seed: 9)
        let signer = try NoteSigner.generate(name: "example.com/behind-the-sofa", using: &random)
        let checkpoint = Checkpoint(origin: "example.com/behind-the-sofa", size: size, root: SHA256Hash(base64: "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")!)
        return (try signer.sign(checkpoint.body).serialized, signer.verifier)
    }

    @Test func checkpointsRoundTripByteForByte() throws {
        let (text, verifier) = try signedCheckpoint()
        #expect(text.hasPrefix("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa "))
        let note = try SignedNote(parsing: text)
        try verifier.verify(note)
        let checkpoint = try Checkpoint(body: note.text)
        #expect(checkpoint.size == 20852163)
        #expect(checkpoint.body == note.text)
        #expect(note.serialized == text)
    }

    @Test func unknownKeysSignaturesAreIgnored() throws {
        let (text, verifier) = try signedCheckpoint()
        let withWitness = text + "\u{2014} witness.example/w1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n"
        try verifier.verify(try SignedNote(parsing: withWitness))
    }

    @Test func aChangedSizeOrRootBreaksTheSignature() throws {
        let (text, verifier) = try signedCheckpoint()
        for forged in [text.replacingOccurrences(of: "20852163", with: "20852164"),
                       text.replacingOccurrences(of: "CsUYapGG", with: "CsUYapGH")] {
            #expect(throws: CheckpointError.self) { try verifier.verify(try SignedNote(parsing: forged)) }
        }
    }

    @Test func aNoteNotSignedByTheKeyIsRejected() throws {
        let (text, _) = try signedCheckpoint()
        var random = SeededGenerator(seed: 99)
        let stranger = try NoteSigner.generate(name: "example.com/behind-the-sofa", using: &random)
        #expect(throws: CheckpointError.self) { try stranger.verifier.verify(try SignedNote(parsing: text)) }
    }

    @Test(arguments: [
        ("\u{2014} ", "- "),              // ASCII dash instead of U+2014
        ("20852163\n", "020852163\n"),    // leading zero
        ("\n\n\u{2014}", "\n\u{2014}"),   // no blank line before the signatures
        ("=\n\n", "=\r\n\n"),             // a carriage return
    ])
    func malformedNotesAreRejected(old: String, new: String) throws {
        let (text, verifier) = try signedCheckpoint()
        let bad = text.replacingOccurrences(of: old, with: new)
        #expect(bad != text)
        #expect(throws: CheckpointError.self) {
            let note = try SignedNote(parsing: bad)
            _ = try Checkpoint(body: note.text)
            try verifier.verify(note)
        }
    }

    @Test func aRootThatIsNotThirtyTwoBytesIsRejected() {
        #expect(throws: CheckpointError.self) { try Checkpoint(body: "o\n1\nAAAA\n") }
    }
}
