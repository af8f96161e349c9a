import Foundation

/// A file written on one thread and read on another as it grows: an XML document that the schema
/// validator reads on the other core while the rest of it is still being written, so a large report is
/// checked in the time it takes to write it rather than after.
///
/// One writer appends and then closes; a reader (`follow()`) gets the bytes in order, waiting for more until
/// the file is closed, then sees its end.
final class GrowingFile: @unchecked Sendable {
    // Invariant: `written`, `closed` and `wanted` change only with `condition` locked; `descriptor`,
    // `pending` and `failed` are used by the writer only, and the descriptor is closed once.
    let path: String
    private let condition = NSCondition()
    private var written = 0
    private var closed = false
    /// The size the waiting reader wants the file to reach before it is woken, if it waits. The writer
    /// appends a few kilobytes at a time; waking the reader for each would cost a system call every time.
    private var wanted: Int?
    /// The writer's descriptor; -1 once closed.
    private var descriptor: Int32
    /// Bytes appended and not written yet: libxml2 hands over 4 KB at a time, and a system call for each
    /// was a seventh of the time it took to write an audit trail.
    private var pending: [UInt8] = []
    /// Whether the system refused some bytes (a full disk): everything after is refused too.
    private(set) var failed = false

    /// How much more a waiting reader waits for.
    private static let wakeEvery = 1 << 16
    /// How many bytes are gathered before they are written.
    private static let writeEvery = 1 << 18

    init(path: String) throws(ReportError) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ReportError(.output, "cannot open \(path) for writing") }
        self.path = path
    }

    deinit {
        if descriptor >= 0 { Foundation.close(descriptor) }
    }

    /// Appends `bytes` whole (written to the file once enough have gathered, or at `close`); false when the
    /// system refused them or earlier ones (a full disk).
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !failed else { return false }
        pending.append(contentsOf: bytes)
        return pending.count < Self.writeEvery || writePending()
    }

    /// Writes what was appended; a reader waiting for it is woken once enough is there.
    private func writePending() -> Bool {
        guard !pending.isEmpty, descriptor >= 0, !failed else { return !failed }
        let count = pending.count
        let done = pending.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                let count = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                done += count
            }
            return true
        }
        pending.removeAll(keepingCapacity: true)
        guard done else {
            failed = true
            return false
        }
        condition.lock()
        written += count
        if let wanted, written >= wanted {
            self.wanted = nil
            condition.signal()
        }
        condition.unlock()
        return true
    }

    /// No more bytes will come: what was appended is written, and a reader waiting for it sees the end.
    /// Closing twice does nothing. Whether every byte reached the file is `failed`, afterwards.
    func close() {
        if !closed { _ = writePending() }
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        if descriptor >= 0 { Foundation.close(descriptor) }
        descriptor = -1
        closed = true
        condition.broadcast()
    }

    /// A reader from the first byte, on a descriptor of its own.
    func follow() throws(ReportError) -> Follower {
        let reading = open(path, O_RDONLY | O_CLOEXEC)
        guard reading >= 0 else { throw ReportError(.output, "cannot read back \(path)") }
        return Follower(file: self, descriptor: reading)
    }

    /// Reads the file in order as it grows.
    final class Follower: @unchecked Sendable {
        // Invariant: used by one thread at a time (the validator's).
        private let file: GrowingFile
        private let descriptor: Int32
        private var offset = 0

        fileprivate init(file: GrowingFile, descriptor: Int32) {
            self.file = file
            self.descriptor = descriptor
        }

        deinit {
            Foundation.close(descriptor)
        }

        /// Fills `buffer` with the next bytes, waiting until the writer has appended some; 0 once the file is
        /// closed and read to its end, -1 when the system fails to read it.
        func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
            file.condition.lock()
            while file.written <= offset && !file.closed {
                file.wanted = offset + GrowingFile.wakeEvery
                file.condition.wait()
            }
            let available = file.written - offset
            file.condition.unlock()
            guard available > 0 else { return 0 }
            let count = pread(descriptor, buffer.baseAddress, min(buffer.count, available), off_t(offset))
            guard count >= 0 else { return -1 }
            offset += count
            return count
        }
    }
}
