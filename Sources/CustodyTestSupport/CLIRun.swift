import CustodyCLI
public import Foundation
import Synchronization

/// Runs the command line in-process with captured output, a fixed clock and a chosen environment.
public struct CLIRun {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// `terminal`: run as if standard error were a terminal, where long commands show a progress line.
    public init(_ arguments: [String], environment: [String: String] = [:], stdin: String = "",
                now: Date = Date(timeIntervalSince1970: 1_772_400_000), terminal: Bool = false) {
        let out = CapturedOutput()
        let err = CapturedOutput()
        let input = CapturedInput(Array(stdin.utf8))
        let context = CommandContext(environment: environment, now: now, standardOutput: out.append, standardError: err.append,
            readStandardInput: input.read, standardErrorIsTerminal: terminal)
        status = CustodyMain.run(arguments, context: context)
        stdout = out.text
        stderr = err.text
    }
}

/// Standard input for an in-process run: handed over once, then end of input.
final class CapturedInput: Sendable {
    private let bytes: [UInt8]
    private let consumed = AtomicFlag()

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    @Sendable func read() -> [UInt8]? {
        consumed.setOnce() && !bytes.isEmpty ? bytes : nil
    }
}

final class AtomicFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    /// True the first time only.
    func setOnce() -> Bool { !flag.exchange(true, ordering: .relaxed) }
}
