/// One run with the datasets it read and wrote, as the log shows it at the query's horizon: what the
/// policy engine judges, run by run.
public struct RunOverview: Sendable {
    public let summary: RunSummary
    /// The datasets its visible events listed as inputs and as outputs (whatever became of the run).
    public let inputs: [NodeName]
    public let outputs: [NodeName]
}

extension RunOverview {
    /// The same run seen through a narrower window: only the inputs and outputs `keep` accepts (a person's
    /// trail shows only the datasets that held their data).
    public func restricted(to keep: (NodeName) -> Bool) -> RunOverview {
        RunOverview(summary: summary, inputs: inputs.filter(keep), outputs: outputs.filter(keep))
    }
}
