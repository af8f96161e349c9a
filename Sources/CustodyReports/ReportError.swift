/// Why a report could not be made. The CLI maps `badInput` to exit 2 and the rest to exit 3 (spec/cli.md).
public struct ReportError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Equatable {
        fileprivate enum Value { case badInput, output, invalid }
        fileprivate let value: Value

        /// What the user asked for cannot be reported (an unknown dataset, a bad option).
        public static let badInput = Code(value: .badInput)
        /// The report could not be written where it was asked to go.
        public static let output = Code(value: .output)
        /// The report did not validate against its schema: a defect of Custody, never written out.
        public static let invalid = Code(value: .invalid)
    }

    public let code: Code
    public let message: String
    public var description: String { message }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
