/// Text as XML 1.0 can carry it. Escaping `<`, `&` and the quotes is the writer's job; what no escape can
/// carry (most C0 controls, U+FFFE, U+FFFF) becomes U+FFFD, so a hostile name cannot make a report
/// unreadable or invalid.
enum XMLText {
    static func clean(_ text: String) -> String {
        carried(text).text
    }

    /// `clean(text)`, and whether it is plain: nothing in it that element content escapes (`<`, `>`, `&`,
    /// `"`, carriage return), so its bytes are already what the escaped text would be.
    static func carried(_ text: String) -> (text: String, plain: Bool) {
        // Most text has no C0 control but tab and line ends, and no 0xEF byte (which begins U+FFFE and
        // U+FFFF in UTF-8): it is allowed as it is, found by looking at its bytes rather than its scalars.
        var text = text
        let (suspect, plain) = text.withUTF8 { bytes in
            var suspect = false, plain = true
            for byte in bytes {
                switch byte {
                case 0x9, 0xA: break
                case 0xD: plain = false
                case 0..<0x20, 0xEF: suspect = true
                case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), UInt8(ascii: "\""): plain = false
                default: break
                }
            }
            return (suspect, plain)
        }
        guard suspect, text.unicodeScalars.contains(where: { !isAllowed($0) }) else { return (text, plain) }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { scalars.append(isAllowed(scalar) ? scalar : "\u{FFFD}") }
        return (String(scalars), plain)
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0x0..<0x20: false
        case 0xFFFE, 0xFFFF: false
        default: true
        }
    }
}
