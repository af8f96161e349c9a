/// Why a policy question or an erasure step could not be done. Every code is bad input (exit 2): the
/// message says what to give instead.
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Equatable {
        fileprivate enum Value { case unknownRequest, unknownRecipient }
        fileprivate let value: Value
        /// No erasure request has this id.
        public static let unknownRequest = Code(value: .unknownRequest)
        /// The erasure request has no recipient of that name to notify.
        public static let unknownRecipient = Code(value: .unknownRecipient)
    }

    public let code: Code
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
