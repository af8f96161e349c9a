import Foundation

/// Policy folders the tests lay over the built-in pack.
public enum PolicyFiles {
    /// Retention for the policy fixture (`examples/policy-fixture.jsonl`): 30 days for the service, 60 for
    /// health data, and the clinic's datasets held for the health authority (Art. 17(3)(c)). Returns the folder.
    public static func fixtureRetention(in directory: TemporaryDirectory) throws -> String {
        let policies = directory.file("policies")
        try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
        try """
            retention:
              periods:
                accounts: { purposes: [essential.service], period: P30D }
                health: { categories: [user.health_and_medical], period: P60D }
            holds:
              clinic:
                ground: public_health
                datasets: ["dataset:postgres://clinic-db:5432:*"]
                reason: Kept for the health authority.
            """.write(toFile: policies + "/keep.yaml", atomically: true, encoding: .utf8)
        return policies
    }
}

extension PolicyFiles {
    /// For the policy fixture's erasure tests: the court's copy (`s3://legal:court/…`) kept for a pending
    /// claim (Art. 17(3)(e)). Returns the folder.
    public static func courtHold(in directory: TemporaryDirectory) throws -> String {
        let policies = directory.file("policies")
        try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
        try """
            holds:
              court:
                ground: legal_claims
                datasets: ["dataset:s3://legal:court/*"]
                reason: Disclosed to the court for a pending claim.
            """.write(toFile: policies + "/hold.yaml", atomically: true, encoding: .utf8)
        return policies
    }
}
