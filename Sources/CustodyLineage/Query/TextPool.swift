/// One shared copy of each text read back from stored rows: a whole store's stored categories name the same
/// few dozen category keys and fields millions of times, and a string of its own for each was the largest
/// single share of a `check`'s memory. Texts short enough to live inside a `String` (15 bytes of UTF-8) are
/// not pooled; they cost no allocation anyway.
///
/// Not for sharing between threads: each decoding pass keeps its own.
struct TextPool {
    /// Pooled texts by the hash of their bytes; a hash shared by two texts keeps both.
    private var texts: [Int: [String]] = [:]

    /// The text of the UTF-8 `bytes`, the pool's copy when it has one.
    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count > 15 else { return String(decoding: bytes, as: UTF8.self) }
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        let hash = hasher.finalize()
        if let known = texts[hash]?.first(where: { $0.utf8.elementsEqual(bytes) }) { return known }
        let text = String(decoding: bytes, as: UTF8.self)
        texts[hash, default: []].append(text)
        return text
    }
}
