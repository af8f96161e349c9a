import Foundation

/// Reading and writing the two secret files, readable by their owner only (mode 0600).
public enum KeyFile {
    public static func read(_ path: String, what: String) throws(LogError) -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LogError(.key, "the \(what) file \(path) does not exist; it is created by 'custody init' beside the store, or named by its environment variable")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw LogError(.key, "cannot read the \(what) file \(path)")
        }
        return text
    }

    /// Writes `text` to a new file with mode 0600, failing if the file exists.
    public static func create(_ path: String, text: String) throws(LogError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw LogError(.io, "cannot create the key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw LogError(.io, "cannot write the key file \(path): \(String(cString: strerror(errno)))")
        }
    }
}
