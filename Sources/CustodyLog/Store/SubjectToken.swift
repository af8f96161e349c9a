/// Random subject tokens: `subj_` and 26 base32 characters (128 bits), unrelated to the identifier.
enum SubjectToken {
    static func generate(using generator: inout any RandomNumberGenerator) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var value = (UInt64.random(in: .min ... .max, using: &generator), UInt64.random(in: .min ... .max, using: &generator))
        var characters: [Character] = []
        for _ in 0..<26 {
            characters.append(alphabet[Int(value.0 & 31)])
            value.0 = (value.0 >> 5) | (value.1 << 59)
            value.1 >>= 5
        }
        return "subj_" + String(characters)
    }
}
