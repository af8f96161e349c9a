/// One run with the datasets it read and wrote, as the log shows it at the query's horizon: what the
/// policy engine judges, run by run.
public struct RunOverview: Sendable {
    public let summary: RunSummary
    /// The datasets its visible events listed as inputs and as outputs (whatever became of the run).
    public let inputs: [NodeName]
    public let outputs: [NodeName]
    /// The same datasets' row ids in the store, in the same order: within one view, rules match runs with
    /// profiles by these rather than by hashing names.
    package let inputIDs: [Int64]
    package let outputIDs: [Int64]
}

extension RunOverview {
    /// The same run seen through a narrower window: only the inputs and outputs `keep` accepts (a person's
    /// trail shows only the datasets that held their data).
    public func restricted(to keep: (NodeName) -> Bool) -> RunOverview {
        let keptInputs = inputs.indices.filter { keep(inputs[$0]) }, keptOutputs = outputs.indices.filter { keep(outputs[$0]) }
        return RunOverview(summary: summary, inputs: keptInputs.map { inputs[$0] }, outputs: keptOutputs.map { outputs[$0] },
            inputIDs: keptInputs.map { inputIDs[$0] }, outputIDs: keptOutputs.map { outputIDs[$0] })
    }
}
