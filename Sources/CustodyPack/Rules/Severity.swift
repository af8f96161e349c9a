/// How grave a finding is. `check` exits 1 when any finding is a violation.
public enum Severity: String, Sendable, CaseIterable, Comparable {
    case violation, warning, info

    /// Violations first.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .violation: 0
        case .warning: 1
        case .info: 2
        }
    }
}
