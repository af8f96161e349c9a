import CustodyLineage
import CustodyModel
import CustodyPack
import CustodyPolicy

/// The JSON shape of policy results (`check`, `decide`), documented in docs/cli.md.
enum PolicyJSON {
    /// `result` as one JSON object (and a line end), handed to `output` in pieces: a whole store's findings
    /// are hundreds of megabytes of JSON, never held as one text.
    static func write(_ result: PolicyResult, to output: (String) -> Void) {
        JSONOutput.object([
            ("violations", .number(result.findings.count { $0.severity == .violation })),
            ("warnings", .number(result.findings.count { $0.severity == .warning })),
            ("infos", .number(result.findings.count { $0.severity == .info })),
            ("runsJudged", .number(result.runsJudged)), ("datasetsJudged", .number(result.datasetsJudged)),
            ("asOf", result.horizon.asOf.map { .string(RFC3339.format($0)) } ?? .null),
            ("packDigest", .string(result.packDigest)),
        ], endingWith: "findings", count: result.findings.count, element: { finding(result.findings[$0]) }, to: output)
        output("\n")
    }

    static func decision(_ decision: PolicyDecision) -> String {
        JSONOutput.object([
            ("decision", .string(decision.allowed ? "allow" : "deny")),
            ("events", .number(decision.proposed.count)),
            ("violations", .number(decision.findings.count { $0.severity == .violation })),
            ("warnings", .number(decision.findings.count { $0.severity == .warning })),
            ("packDigest", .string(decision.packDigest)),
            ("findings", .array(decision.findings.map(finding))),
        ])
    }

    static func finding(_ finding: Finding) -> JSONOutput.Value {
        let concerns = finding.concerns
        return .object([
            ("rule", .string(finding.rule)), ("article", .string(finding.article)), ("severity", .string(finding.severity.rawValue)),
            ("concerns", .object([
                ("dataset", concerns.dataset.map(LineageJSON.node) ?? .null), ("job", concerns.job.map(LineageJSON.node) ?? .null),
                ("runId", LineageJSON.optional(concerns.runID)), ("recipient", LineageJSON.optional(concerns.recipient)),
            ])),
            ("summary", .string(finding.summary)),
            ("transfer", finding.transfer.map(transfer) ?? .null),
            ("evidence", .array(finding.evidence.map { .number($0) })),
            ("explanation", .string(finding.explanation)), ("remedy", .string(finding.remedy)),
        ])
    }

    static func transfer(_ assessment: TransferAssessment) -> JSONOutput.Value {
        .object([
            ("destination", .string(assessment.destination)), ("branch", .string(assessment.branch.rawValue)),
            ("basis", LineageJSON.optional(assessment.basis)), ("recordedIn", LineageJSON.optional(assessment.recordedIn)),
            ("onwardFrom", LineageJSON.strings(assessment.onwardFrom)), ("gaps", LineageJSON.strings(assessment.gaps)),
        ])
    }
}

/// Policy results for people.
enum PolicyText {
    /// `result` for people, handed to `output` in pieces: a whole store's findings are millions of lines.
    static func write(_ result: PolicyResult, to output: (String) -> Void) {
        let when = result.horizon.asOf.map { " as of \(RFC3339.format($0))" } ?? ""
        let counts = Severity.allCases.map { severity in counted(result.findings.count { $0.severity == severity }, severity.rawValue) }
        output("Checked \(counted(result.runsJudged, "run")) and \(counted(result.datasetsJudged, "dataset"))\(when): "
            + counts.joined(separator: ", ") + ".\n")
        var start = 0
        while start < result.findings.count {
            let end = min(start + 2_000, result.findings.count)
            output(findings(result.findings[start..<end]))
            start = end
        }
        var out = ""
        if !result.findings.isEmpty { out += "\n'custody log --from SEQ --limit 1' shows an event; docs/policies.md explains each rule.\n" }
        out += "Policy pack \(result.packDigest.prefix(16))…\n"
        output(out)
    }

    static func decision(_ decision: PolicyDecision) -> String {
        let verdict = decision.allowed ? "ALLOW" : "DENY"
        let counts = Severity.allCases.map { severity in counted(decision.findings.count { $0.severity == severity }, severity.rawValue) }
        var out = "\(verdict): \(counted(decision.proposed.count, "proposed event")) judged against the store: " + counts.joined(separator: ", ") + ".\n"
        out += findings(decision.findings)
        if !decision.findings.isEmpty {
            out += "\nEvents numbered \(decision.proposed.lowerBound) and up are the proposed ones; nothing was ingested.\n"
        }
        out += "Policy pack \(decision.packDigest.prefix(16))…\n"
        return out
    }

    private static func findings(_ findings: some Collection<Finding>) -> String {
        var out = ""
        for finding in findings {
            out += "\n\(finding.severity.rawValue.uppercased())  \(finding.rule)  (\(finding.article))\n"
            out += "  \(finding.summary)\n"
            var about: [String] = []
            if let dataset = finding.concerns.dataset { about.append(dataset.id) }
            if let job = finding.concerns.job, let run = finding.concerns.runID { about.append("\(job.id) run \(run)") }
            if let recipient = finding.concerns.recipient { about.append("recipient \(recipient)") }
            if !about.isEmpty { out += "  concerns: " + about.joined(separator: "; ") + "\n" }
            if let transfer = finding.transfer { out += "  Chapter V branch: \(transfer.branch.rawValue)\n" }
            out += "  evidence: events " + finding.evidence.map(String.init).joined(separator: ", ") + "\n"
            if finding.severity != .info { out += "  remedy: \(finding.remedy)\n" }
        }
        return out
    }
}
