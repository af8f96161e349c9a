import Foundation

/// A file written on one thread and read on another as it grows: an XML document that the schema
/// validator reads on the other core while the rest of it is still being written, so a large report is
/// checked in the time it takes to write it rather than after.
///
/// One writer appends and then closes; a reader (`follow()`) gets the bytes in order, waiting for more until
/// the file is closed, then sees its end.
final class GrowingFile: @unchecked Sendable {
    // Invariant: `written`, `closed`, `wanted` and `refused` change only with `condition` locked. `pending`
    // and `closing` belong to the appending thread; `descriptor` to the writing queue until `close` has
    // drained it, and it is closed once.
    let path: String
    private let condition = NSCondition()
    private var written = 0
    private var closed = false
    /// The size the waiting reader wants the file to reach before it is woken, if it waits. The writer
    /// appends a few kilobytes at a time; waking the reader for each would cost a system call every time.
    private var wanted: Int?
    /// Whether the system refused some bytes (a full disk): everything after is refused too.
    private var refused = false
    /// The descriptor; -1 once closed.
    private var descriptor: Int32
    /// Bytes appended and not handed to the writing queue yet: libxml2 hands over 4 KB at a time.
    private var pending: [UInt8] = []
    private var closing = false
    /// Writes the gathered bytes to the file on another thread: copying them into the kernel was a quarter
    /// of the appending thread's time in an audit trail, which is what a report waits for.
    private let writing = DispatchQueue(label: "custody.growing-file")
    /// Gathered buffers on their way to the file, at most: memory stays bounded if the disk is slow.
    private let inFlight = DispatchSemaphore(value: 4)

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

    /// Whether the system refused some of the bytes (a full disk). Final once the file is closed.
    var failed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return refused
    }

    /// Appends `bytes` whole (written to the file once enough have gathered, or at `close`); false once the
    /// system has refused some (a full disk).
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        pending.append(contentsOf: bytes)
        if pending.count >= Self.writeEvery { handOver() }
        return !failed
    }

    /// Sends the gathered bytes to the writing queue, which writes them and wakes a reader waiting for them.
    private func handOver() {
        guard !pending.isEmpty else { return }
        let buffer = pending
        pending = []
        pending.reserveCapacity(Self.writeEvery + (1 << 14))
        inFlight.wait()
        writing.async { [self] in
            defer { inFlight.signal() }
            let done = !failed && buffer.withUnsafeBytes { bytes in
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
            condition.lock()
            if done {
                written += buffer.count
                if let wanted, written >= wanted {
                    self.wanted = nil
                    condition.signal()
                }
            } else {
                refused = true
            }
            condition.unlock()
        }
    }

    /// No more bytes will come: what was appended is written, and a reader waiting for it sees the end.
    /// Closing twice does nothing. Whether every byte reached the file is `failed`, afterwards.
    func close() {
        guard !closing else { return }
        closing = true
        handOver()
        writing.sync {}
        condition.lock()
        defer { condition.unlock() }
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
