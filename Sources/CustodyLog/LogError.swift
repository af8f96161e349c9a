/// An error of the log module: what went wrong, in words a user can act on, and its kind.
///
/// The command-line tool maps the kind to an exit code (integrity 1, bad input 2, everything else 3);
/// it never rewords the message.
public struct LogError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of failure. A struct around a private enum, so kinds can be added without breaking users.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case integrity, invalidInput, key, storeUnavailable, io, internalInconsistency }
        private let base: Base

        /// The log or store failed verification: tampering, a checkpoint the log does not extend, a
        /// database SQLite cannot read.
        public static let integrity = Code(base: .integrity)
        /// The request or its input is malformed: a bad checkpoint file, an impossible proof request.
        public static let invalidInput = Code(base: .invalidInput)
        /// A key file is missing, unreadable or does not belong to this store.
        public static let key = Code(base: .key)
        /// The store does not exist, is locked, or was made by a newer Custody.
        public static let storeUnavailable = Code(base: .storeUnavailable)
        /// Reading or writing a file failed.
        public static let io = Code(base: .io)
        /// A bug: an invariant of the engine did not hold.
        public static let internalInconsistency = Code(base: .internalInconsistency)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func internalInconsistency(_ message: String) -> LogError { LogError(.internalInconsistency, message) }
    static func badProofRequest(_ message: String) -> LogError { LogError(.invalidInput, message) }
}
