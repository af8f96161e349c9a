import Foundation

/// A fresh folder under the system's temporary directory, removed when the value is released. Store
/// tests use real files in it, never only an in-memory database.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init() {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("custody-test-XXXXXX").path
        var bytes = Array(template.utf8CString)
        precondition(mkdtemp(&bytes) != nil, "cannot create a temporary directory")
        path = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    /// The names of the files in the folder, sorted.
    public var contents: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
