public import Foundation
import Synchronization

/// Everything a command takes from the world: environment, output streams and "now". The executable
/// builds it from the process; tests build it with captured output and a fixed clock.
public struct CommandContext: Sendable {
    public var environment: [String: String]
    public var now: Date
    public var standardOutput: @Sendable (String) -> Void
    public var standardError: @Sendable (String) -> Void
    /// Reads standard input in chunks; `nil` at its end.
    public var readStandardInput: @Sendable () throws -> [UInt8]?
    /// Whether standard error is a terminal, so progress lines make sense there.
    public var standardErrorIsTerminal: Bool
    /// Whether standard input is a terminal (someone would have to type the events).
    public var standardInputIsTerminal: Bool

    public init(
        environment: [String: String], now: Date,
        standardOutput: @escaping @Sendable (String) -> Void, standardError: @escaping @Sendable (String) -> Void,
        readStandardInput: @escaping @Sendable () throws -> [UInt8]? = { nil }, standardErrorIsTerminal: Bool = false,
        standardInputIsTerminal: Bool = false
    ) {
        self.environment = environment
        self.now = now
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.readStandardInput = readStandardInput
        self.standardErrorIsTerminal = standardErrorIsTerminal
        self.standardInputIsTerminal = standardInputIsTerminal
    }

    /// The context of this process.
    public static func process() -> CommandContext {
        CommandContext(
            environment: ProcessInfo.processInfo.environment, now: Date(),
            standardOutput: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            standardError: { text in FileHandle.standardError.write(Data(text.utf8)) },
            readStandardInput: {
                let data = FileHandle.standardInput.readData(ofLength: 1 << 20)
                return data.isEmpty ? nil : Array(data)
            },
            standardErrorIsTerminal: isatty(2) == 1, standardInputIsTerminal: isatty(0) == 1)
    }

    @TaskLocal static var current: CommandContext = .process()

    func print(_ text: String) { standardOutput(text + "\n") }
    func printError(_ text: String) { standardError(text + "\n") }
}

/// Collects what a command printed, for tests and for the demo.
public final class CapturedOutput: Sendable {
    private let storage = Mutex("")

    public init() {}

    public func append(_ text: String) { storage.withLock { $0 += text } }

    public var text: String { storage.withLock { $0 } }
}
