@testable import CustodyReports
import Testing

/// Every value a report writes into HTML goes through one escaping: the five characters that can end a
/// text or an attribute are replaced, and every other byte is kept as it came (names in any script,
/// combining marks, bidirectional controls, emoji).
struct HTMLEscapingTests {
    @Test(arguments: [
        ("plain-hash+/=", "plain-hash+/="),
        ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        ("a & b \"quoted\"", "a &amp; b &quot;quoted&quot;"),
        ("]]>&\"'", "]]&gt;&amp;&quot;&#39;"),
        ("Zoë <Müller> e\u{301}", "Zoë &lt;Müller&gt; e\u{301}"),
        ("\u{202E}cod.exe & 🙂", "\u{202E}cod.exe &amp; 🙂"),
        ("", ""),
    ])
    func escapesTheFiveCharactersAndKeepsEveryOtherByte(text: String, expected: String) {
        #expect(Array(HTMLEscaping().escapeText(text).utf8) == Array(expected.utf8))
    }
}
