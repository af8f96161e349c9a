/// One rule of the pack: what it checks, the article it applies, how grave its findings are, and the
/// words a person reads.
public struct PolicyRule: Sendable, Equatable {
    /// What finds the rule's cases: one of the engine's built-in checks, or a condition of the user's.
    public enum Test: Sendable, Equatable {
        case builtIn(String)
        case condition(RuleCondition)
    }

    /// The engine's checks a rule may name (`check:`); the policy engine implements each of them.
    public static let builtInChecks: Set<String> = [
        "transfer", "lawful-basis", "public-authority-interests", "special-category", "criminal-data", "source",
        "automated-decision", "unknown-location", "unknown-category", "unknown-purpose", "purpose-compatibility", "after-erasure", "after-forgetting", "retention", "retention-declaration",
    ]

    public let id: String
    public let test: Test
    public let article: String
    public let severity: Severity
    public let explanation: String
    public let remedy: String
    /// Switched off by a policy file (`enabled: false`): the rule finds nothing.
    public let enabled: Bool
}
