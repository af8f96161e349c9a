/// Splits an input into events without holding the whole input in memory.
///
/// Accepts the three forms of the ingest contract: one JSON object, a JSON array of objects, and JSON
/// Lines. It treats the input as a sequence of JSON values separated by white space, where a top-level
/// array contributes its elements, so pretty-printed objects one after another work too. Only the
/// framing is done here (brackets, strings and escapes); `JSONParser` parses each frame.
public struct EventFramer {
    public typealias ChunkSource = () throws -> [UInt8]?

    private let readChunk: ChunkSource
    private var buffer: [UInt8] = []
    private var position = 0
    private var line = 1
    private var endOfInput = false
    private var inArray = false
    private var arrayIndex = 0
    private var arrayOpenLine = 0
    private var expectingElement = false
    private var sawTopLevelArray = false

    /// - Parameter readChunk: returns the next bytes of the input, or `nil` at its end.
    public init(readChunk: @escaping ChunkSource) {
        self.readChunk = readChunk
    }

    /// A framer over bytes already in memory.
    public init(bytes: [UInt8]) {
        var remaining: [UInt8]? = bytes
        self.init(readChunk: {
            defer { remaining = nil }
            return remaining
        })
    }

    /// The next event, or `nil` at the end of the input.
    public mutating func next() throws(EventFramingError) -> EventFrame? {
        while true {
            guard try skipWhitespace() else {
                if inArray {
                    throw EventFramingError(line: line, message: "unexpected end of input: the array opened on line \(arrayOpenLine) is not closed")
                }
                return nil
            }
            let byte = buffer[position]
            if inArray {
                if byte == UInt8(ascii: "]") && !expectingElement {
                    position += 1
                    inArray = false
                    continue
                }
                if byte == UInt8(ascii: ",") && !expectingElement {
                    position += 1
                    expectingElement = true
                    continue
                }
                if !expectingElement {
                    throw EventFramingError(line: line, message: "expected ',' or ']' after array element \(arrayIndex - 1)")
                }
            } else if byte == UInt8(ascii: "[") {
                position += 1
                inArray = true
                sawTopLevelArray = true
                arrayOpenLine = line
                expectingElement = true
                guard try skipWhitespace() else { continue }
                if buffer[position] == UInt8(ascii: "]") {
                    position += 1
                    inArray = false
                }
                continue
            }
            guard byte == UInt8(ascii: "{") else {
                let what = byte == UInt8(ascii: "]") ? "']' without a matching '['" : "a value that is not an object"
                throw EventFramingError(line: line, message: "expected an event (a JSON object), found \(what)",
                    arrayIndex: inArray ? arrayIndex : nil)
            }
            let startLine = line
            let bytes = try scanObject(startLine: startLine)
            let frame = EventFrame(bytes: bytes, line: startLine, arrayIndex: inArray ? arrayIndex : nil)
            if inArray {
                arrayIndex += 1
                expectingElement = false
            }
            return frame
        }
    }

    /// Skips white space, counting lines; `false` at the end of the input.
    private mutating func skipWhitespace() throws(EventFramingError) -> Bool {
        while true {
            while position < buffer.count {
                switch buffer[position] {
                case 0x0A: line += 1; position += 1
                case 0x20, 0x09, 0x0D: position += 1
                default: return true
                }
            }
            guard try refill() else { return false }
        }
    }

    /// Reads more input, dropping what was consumed; `false` when there is no more.
    private mutating func refill() throws(EventFramingError) -> Bool {
        if endOfInput { return false }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        do {
            guard let chunk = try readChunk() else {
                endOfInput = true
                return false
            }
            buffer.append(contentsOf: chunk)
            return true
        } catch {
            throw EventFramingError(line: line, message: "cannot read the input: \(error)")
        }
    }

    /// Returns the bytes of the object starting at `position`, leaving `position` after it.
    private mutating func scanObject(startLine: Int) throws(EventFramingError) -> [UInt8] {
        var state = ScanState()
        var offset = position
        while true {
            offset = buffer.withUnsafeBufferPointer { bytes in state.scan(bytes, from: offset) }
            line += state.newlines
            state.newlines = 0
            if state.depth == 0 && state.started {
                let bytes = Array(buffer[position..<offset])
                position = offset
                return bytes
            }
            let consumed = position
            guard try refill() else {
                throw EventFramingError(line: startLine, message: "malformed JSON: the event that starts here is never closed (a missing '}', ']' or '\"')",
                    arrayIndex: inArray ? arrayIndex : nil)
            }
            offset -= consumed
        }
    }
}

/// Where a scan for the end of an object stands, so it can resume after more input arrives.
private struct ScanState {
    var depth = 0
    var started = false
    var inString = false
    var escaped = false
    var newlines = 0

    /// Scans from `offset` to the end of the object or of the bytes; returns where it stopped.
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, from offset: Int) -> Int {
        var index = offset
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                } else if byte == 0x0A {
                    newlines += 1
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                started = true
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return index }
            case 0x0A: newlines += 1
            default: break
            }
        }
        return index
    }
}

/// The input cannot be split into events: an unclosed object or array, or a value that is not an object.
public struct EventFramingError: Error, Sendable, Equatable {
    public let line: Int
    public let message: String
    public var arrayIndex: Int? = nil
}
