/// Builders for OpenLineage events with the custody facets, shared by the test targets.
public enum EventFixtures {
    public static let producer = "https://example.com/etl"
    public static let runSchema = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"

    /// A COMPLETE run event writing one output with the given subjects, one JSON line.
    public static func runEvent(
        runId: String = "0192f5b4-3c1e-7a2b-9d4e-5f6a7b8c9d0e",
        eventType: String = "COMPLETE",
        eventTime: String = "2026-03-01T10:05:00Z",
        job: String = "export_audience",
        operation: String = "transfer",
        country: String = "US",
        subjects: [String] = ["cust-1001", "cust-1002"],
        output: String = "audience/2026-03-01"
    ) -> String {
        let subjectList = subjects.map { "\"\($0)\"" }.joined(separator: ",")
        return """
            {"eventType":"\(eventType)","eventTime":"\(eventTime)","producer":"\(producer)","schemaURL":"\(runSchema)",\
            "run":{"runId":"\(runId)","facets":{"custody_processing":{"_producer":"\(producer)","_schemaURL":"https://example.com/custody/ProcessingRunFacet.json",\
            "operation":"\(operation)","purposes":["marketing.advertising"],"legalBasis":"consent",\
            "recipient":{"name":"AdCo Inc","country":"\(country)","role":"processor","dpfCertified":false},"transferMechanism":"scc_commission"}}},\
            "job":{"namespace":"crm","name":"\(job)"},"inputs":[{"namespace":"postgres://crm-db:5432","name":"crm.customers"}],\
            "outputs":[{"namespace":"s3://adco-us","name":"\(output)","facets":{"custody_personalData":{"_producer":"\(producer)",\
            "_schemaURL":"https://example.com/custody/PersonalDataDatasetFacet.json","location":"US","subjects":[\(subjectList)]}}}]}
            """
    }

    /// A deterministic UUID string for the n-th run.
    public static func runId(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return "0192f5b4-3c1e-7a2b-9d4e-" + String(repeating: "0", count: 12 - hex.count) + hex
    }
}
