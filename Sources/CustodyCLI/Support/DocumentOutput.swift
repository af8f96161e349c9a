import Foundation

/// Where a report or an export goes: the file named by `--output`, or standard output. Either way the
/// document is printed or left in place only once `write` finished it (complete and, for XML, valid):
/// standard output gets it from a scratch folder afterwards, so a failure prints nothing.
enum DocumentOutput {
    static func write(to output: String?, named name: String, context: CommandContext, _ write: (_ path: String) throws -> Void) throws {
        if let output {
            try write(output)
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custody-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(name).path
        try write(file)
        context.standardOutput(try String(contentsOfFile: file, encoding: .utf8))
    }
}
