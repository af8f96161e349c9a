import CustodyCLI
import Foundation

/// The `custody` executable: everything it does lives in CustodyCLI, so tests can run it in-process.
@main
enum Custody {
    static func main() {
        exit(CustodyMain.run(Array(CommandLine.arguments.dropFirst())))
    }
}
