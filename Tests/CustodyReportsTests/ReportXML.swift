import Foundation
import FoundationXML

/// A written XML report, read back for XPath questions without its namespace (the schema validated it
/// as written; here only the content is asked about).
func reportDocument(_ data: Data) throws -> XMLDocument {
    let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: " xmlns=\"urn:custody:report:1\"", with: "")
    return try XMLDocument(data: Data(text.utf8))
}
