/// Text as XML 1.0 can carry it. Escaping `<`, `&` and the quotes is the writer's job; what no escape can
/// carry (most C0 controls, U+FFFE, U+FFFF) becomes U+FFFD, so a hostile name cannot make a report
/// unreadable or invalid.
enum XMLText {
    static func clean(_ text: String) -> String {
        // Most text has no C0 control but tab and line ends, and no 0xEF byte (which begins U+FFFE and
        // U+FFFF in UTF-8): it is allowed as it is, found by looking at its bytes rather than its scalars.
        let suspect = text.utf8.contains { byte in (byte < 0x20 && byte != 0x9 && byte != 0xA && byte != 0xD) || byte == 0xEF }
        guard suspect, text.unicodeScalars.contains(where: { !isAllowed($0) }) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { scalars.append(isAllowed(scalar) ? scalar : "\u{FFFD}") }
        return String(scalars)
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
