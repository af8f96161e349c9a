import Foundation

/// Writes a report file all or nothing: the report is made under a temporary name in the target's folder
/// and renamed into place only when it is complete (and, for XML, valid), so a reader of `path` sees the
/// old file or the new one, never half of one. The file is readable by its owner only (mode 0600).
enum ReportFile {
    static func write(to path: String, _ make: (_ temporaryPath: String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array((folder + "/." + url.lastPathComponent + ".partial-XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else {
            throw ReportError(.output, "cannot create a file in \(folder) (does the folder exist, and may Custody write there?)")
        }
        close(descriptor)
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            try make(temporary)
            // Reports name people and say where their data is: readable by the owner only, like the store.
            chmod(temporary, 0o600)
            guard rename(temporary, path) == 0 else {
                throw ReportError(.output, "cannot move the finished report to \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
