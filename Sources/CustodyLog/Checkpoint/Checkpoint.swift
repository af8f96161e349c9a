/// A C2SP tlog-checkpoint body: the log's origin, its size and its RFC 9162 root.
///
/// ```
/// custody.local/orders
/// 1204
/// CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
/// ```
public struct Checkpoint: Sendable, Equatable {
    public let origin: String
    public let size: Int
    public let root: SHA256Hash
    /// Optional lines after the root. The format discourages them; they are kept so a parsed checkpoint
    /// re-serialises byte for byte.
    public let extensionLines: [String]

    public init(origin: String, size: Int, root: SHA256Hash, extensionLines: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensionLines = extensionLines
    }

    /// The note text that is signed: one field a line, each ending in a newline.
    public var body: String {
        ([origin, String(size), root.base64] + extensionLines).map { $0 + "\n" }.joined()
    }

    /// Parses a checkpoint body, rejecting anything that would not re-serialise to the same bytes.
    public init(body: String) throws(CheckpointError) {
        guard body.hasSuffix("\n") else { throw CheckpointError("a checkpoint body must end with a newline") }
        let lines = body.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw CheckpointError("a checkpoint needs three lines: origin, size and root hash") }
        let origin = lines[0]
        guard !origin.isEmpty, !origin.contains(where: { $0.isWhitespace || $0 == "+" }) else {
            throw CheckpointError("the origin line must be a non-empty name without spaces or '+'")
        }
        let sizeText = lines[1]
        guard let size = Int(sizeText), size >= 0, String(size) == sizeText else {
            throw CheckpointError("the size line must be a decimal number without leading zeros, found '\(sizeText)'")
        }
        guard let root = SHA256Hash(base64: lines[2]), root.base64 == lines[2] else {
            throw CheckpointError("the root line must be the standard base64 of a 32-byte hash")
        }
        let extensions = Array(lines.dropFirst(3))
        guard extensions.allSatisfy({ !$0.isEmpty }) else { throw CheckpointError("a checkpoint body has no blank lines") }
        self.init(origin: origin, size: size, root: root, extensionLines: extensions)
    }
}

/// A checkpoint or signed note that does not parse, or whose signature does not verify.
public struct CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
