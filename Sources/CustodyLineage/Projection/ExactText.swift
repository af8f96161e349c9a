import Foundation

/// A text that is equal only to the same bytes, as SQLite compares texts. Swift's `==` on strings takes
/// canonically equivalent text as equal ("café" with a composed "é" and with "e" and a combining accent), so a
/// memory of row ids keyed by `String` would give two rows the tables keep apart one id: what a transaction
/// wrote would depend on which events came with it, and a replay would differ from the store.
struct ExactText: Hashable, Sendable {
    let text: String
    /// The hash of its bytes, worked out where the text is made: facets are hashed on the threads that extract
    /// events, not on the writer's, which looks every one up (a facet is a few hundred bytes).
    private let fingerprint: Int

    init(_ text: String) {
        self.text = text
        var hasher = Hasher()
        Self.combineBytes(of: text, into: &hasher)
        fingerprint = hasher.finalize()
    }

    static func == (left: ExactText, right: ExactText) -> Bool {
        left.fingerprint == right.fingerprint && sameBytes(left.text, right.text)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(fingerprint)
    }

    /// Whether both texts are the same UTF-8 bytes.
    static func sameBytes(_ left: String, _ right: String) -> Bool {
        guard left.utf8.count == right.utf8.count else { return false }
        let compared: Bool?? = left.utf8.withContiguousStorageIfAvailable { leftBytes in
            right.utf8.withContiguousStorageIfAvailable { rightBytes in
                leftBytes.isEmpty || memcmp(leftBytes.baseAddress!, rightBytes.baseAddress!, leftBytes.count) == 0
            }
        }
        return (compared ?? nil) ?? left.utf8.elementsEqual(right.utf8)
    }

    /// Feeds `text`'s UTF-8 bytes, and their count (so that two texts hashed one after the other cannot shift
    /// bytes between them), to `hasher`.
    static func combineBytes(of text: String, into hasher: inout Hasher) {
        hasher.combine(text.utf8.count)
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil { Array(text.utf8).withUnsafeBytes { hasher.combine(bytes: $0) } }
    }
}
