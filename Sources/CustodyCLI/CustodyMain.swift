import ArgumentParser
import CustodyLineage
import CustodyLog
import CustodyPolicy
import CustodyModel
import CustodyReports
import Foundation

/// Runs the `custody` command line: parses, runs the command in `context`, prints errors, and maps every
/// outcome to the exit codes of spec/cli.md (0 success, 1 a check failed, 2 bad input or usage, 3 the rest).
public enum CustodyMain {
    public static func run(_ arguments: [String], context: CommandContext = .process()) -> Int32 {
        CommandContext.$current.withValue(context) {
            let command: any ParsableCommand
            do {
                command = try CustodyCommand.parseAsRoot(reorderGlobalOptions(arguments))
            } catch {
                let code = CustodyCommand.exitCode(for: error)
                let message = CustodyCommand.fullMessage(for: error)
                if code == .success {
                    context.print(message)
                    return 0
                }
                context.printError(message)
                return 2
            }
            do {
                var runnable = command
                try runnable.run()
                return 0
            } catch {
                return report(error, context: context)
            }
        }
    }

    /// Prints `error` to standard error and returns its exit code.
    static func report(_ error: any Error, context: CommandContext) -> Int32 {
        switch error {
        case let exit as ExitCode:
            return exit.rawValue
        case let error as IngestError:
            context.printError("error: \(error)")
            context.printError("nothing was recorded: the whole call was rolled back. Fix the event and run the command again.")
            return 2
        case let error as LogError:
            context.printError("error: \(error.message)")
            switch error.code {
            case .integrity: return 1
            case .invalidInput: return 2
            default: return 3
            }
        case let error as LineageError:
            context.printError("error: \(error)")
            return 2
        case let error as PolicyError:
            context.printError("error: \(error.message)")
            return 2
        case let error as ReportError:
            context.printError("error: \(error.message)")
            return error.code == .badInput ? 2 : 3
        case let error as CLIError:
            context.printError("error: \(error.description)")
            return 2
        case let error as ValidationError:
            context.printError("error: \(error.message)")
            return 2
        default:
            // ArgumentParser's own outcomes: `--help` and `--version` end in a clean exit, usage errors in 64.
            switch CustodyCommand.exitCode(for: error) {
            case .success:
                context.print(CustodyCommand.fullMessage(for: error))
                return 0
            case .validationFailure:
                context.printError(CustodyCommand.fullMessage(for: error))
                return 2
            default:
                context.printError("error: \(error)")
                return 3
            }
        }
    }

    /// Moves global options written before the command name to after it, so `custody --store s verify`
    /// and `custody verify --store s` mean the same, as in git and kubectl.
    static func reorderGlobalOptions(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            guard GlobalOptions.valueOptions.contains(name) else { break }
            moved.append(argument)
            if !argument.contains("="), index + 1 < arguments.count {
                moved.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        var rest = Array(arguments[index...])
        if let terminator = rest.firstIndex(of: "--") {
            rest.insert(contentsOf: moved, at: terminator)
        } else {
            rest += moved
        }
        return rest
    }
}
