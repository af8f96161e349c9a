import CustodyTestSupport
import Foundation
import Testing

/// `custody report …` and `custody export prov` as a user runs them: formats, files, exit codes, and
/// reproducible bytes.
struct ReportCommandTests {
    @Test func everyReportIsWrittenInEveryFormatAndTheSameInputsGiveTheSameBytes() throws {
        try CheckCommandTests.withStore { directory, store in
            let kinds: [[String]] = [
                ["dsar", "--subject", "alice@example.com", "--received", "2026-03-05"], ["ropa"], ["audit"], ["retention"], ["transfers"],
                ["breach", "--dataset", "crm.customers", "--aware-at", "2026-03-06T14:30:00Z"],
            ]
            for kind in kinds {
                for format in ["html", "xml", "json"] {
                    let file = directory.file("\(kind[0]).\(format)")
                    let arguments = ["report"] + kind + ["--store", store, "--as-of", "2026-03-10", "--format", format]
                    let written = CLIRun(arguments + ["--output", file])
                    #expect(written.status == 0, "\(kind[0]) \(format): \(written.stderr)")
                    #expect(written.stdout.isEmpty)
                    // Standard output gets the same bytes as the file.
                    let printed = CLIRun(arguments)
                    #expect(printed.status == 0)
                    #expect(printed.stdout == (try String(contentsOfFile: file, encoding: .utf8)), "\(kind[0]) \(format)")
                    let attributes = try FileManager.default.attributesOfItem(atPath: file)
                    #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(kind[0]) \(format) is readable by its owner only")
                }
            }
            let prov = CLIRun(["export", "prov", "--store", store, "--as-of", "2026-03-10"])
            #expect(prov.status == 0, "\(prov.stderr)")
            #expect(prov.stdout.contains("<prov:document"))
            #expect(CLIRun(["export", "prov", "--store", store, "--as-of", "2026-03-10"]).stdout == prov.stdout)
        }
    }

    @Test func badInputIsExitTwoAndWritesNothing() throws {
        try CheckCommandTests.withStore { directory, store in
            let output = directory.file("breach.html")
            let unknown = CLIRun(["report", "breach", "--store", store, "--dataset", "no.such.dataset", "--output", output])
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("no.such.dataset"))
            #expect(!FileManager.default.fileExists(atPath: output))
            let text = CLIRun(["report", "ropa", "--store", store, "--format", "text"])
            #expect(text.status == 2)
            #expect(text.stderr.contains("html or xml or json"))
            #expect(CLIRun(["report", "dsar", "--store", store]).status == 2)
            #expect(CLIRun(["report", "audit", "--store", store, "--from", "yesterday"]).status == 2)
            let reversed = CLIRun(["report", "audit", "--store", store, "--from", "2026-03-05", "--to", "2026-03-01", "--output", output])
            #expect(reversed.status == 2)
            #expect(!FileManager.default.fileExists(atPath: output))
            #expect(CLIRun(["export", "prov", "--store", store, "--format", "html"]).status == 2)
            // Nothing half-made was left in the folder either.
            #expect(!directory.contents.contains { $0.contains(".partial-") })
        }
    }
}
