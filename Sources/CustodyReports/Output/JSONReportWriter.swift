import CustodyModel
import Foundation

/// Writes a report as JSON (two-space indentation, members in the model's order) to a file, buffered
/// and streamed like the XML writer.
final class JSONReportWriter: ReportWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    /// For each open object or list: whether it is a list, and whether it has a member yet.
    private var stack: [(isList: Bool, hasMembers: Bool)] = []

    init(path: String) throws(ReportError) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ReportError(.output, "cannot open \(path) for writing")
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 16)
    }

    func open(_ name: String) throws(ReportError) {
        try member(name)
        buffer.append(UInt8(ascii: "{"))
        stack.append((false, false))
    }

    func openList(_ name: String) throws(ReportError) {
        try member(name)
        buffer.append(UInt8(ascii: "["))
        stack.append((true, false))
    }

    func write(_ name: String, _ node: ReportNode) throws(ReportError) {
        try member(name)
        switch node {
        case .object(let members):
            buffer.append(UInt8(ascii: "{"))
            stack.append((false, false))
            for (key, value) in members { try write(key, value) }
            try close()
        case .list(let items):
            buffer.append(UInt8(ascii: "["))
            stack.append((true, false))
            for value in items { try write("", value) }
            try close()
        case .text(let text): CanonicalJSON.writeString(text, to: &buffer)
        case .number(let number): buffer.append(contentsOf: String(number).utf8)
        case .flag(let flag): buffer.append(contentsOf: (flag ? "true" : "false").utf8)
        }
    }

    func close() throws(ReportError) {
        guard let top = stack.popLast() else { throw ReportError(.output, "closing an object that is not open") }
        if top.hasMembers { newline() }
        buffer.append(UInt8(ascii: top.isList ? "]" : "}"))
        try flushIfFull()
    }

    func finish() throws(ReportError) {
        buffer.append(UInt8(ascii: "\n"))
        try flush()
        try? handle.close()
    }

    /// Starts a member: a comma after the one before, the indentation, and the key inside an object.
    private func member(_ name: String) throws(ReportError) {
        guard !stack.isEmpty else { return }
        if stack[stack.count - 1].hasMembers { buffer.append(UInt8(ascii: ",")) }
        stack[stack.count - 1].hasMembers = true
        newline()
        if !stack[stack.count - 1].isList {
            CanonicalJSON.writeString(name, to: &buffer)
            buffer.append(contentsOf: ": ".utf8)
        }
    }

    private func newline() {
        buffer.append(UInt8(ascii: "\n"))
        buffer.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * stack.count))
    }

    private func flushIfFull() throws(ReportError) {
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws(ReportError) {
        do { try handle.write(contentsOf: buffer) } catch { throw ReportError(.output, "cannot write the JSON report (\(error))") }
        buffer.removeAll(keepingCapacity: true)
    }
}
