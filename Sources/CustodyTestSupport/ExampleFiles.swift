public import Foundation

/// The files of the repository's `examples/` folder, which the tests share with the docs.
public enum ExampleFiles {
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples")

    /// The event lines of one file.
    public static func lines(_ name: String) throws -> [String] {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    public static func path(_ name: String) -> String { folder.appendingPathComponent(name).standardizedFileURL.path }
}
