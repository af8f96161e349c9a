/// The `when` of a rule written in a policy file: the runs or datasets it finds. Every field given must
/// hold (a list holds when any of its values does); a key matches its descendants (`user.health` finds
/// `user.health.diagnosis`).
///
/// ```yaml
/// when:
///   run:
///     purposes: [marketing]
///     categories: [user.health]
/// ```
public struct RuleCondition: Sendable, Equatable {
    public enum Target: String, Sendable {
        /// Every run the log shows (failed ones too, unless `completed` is set).
        case run
        /// Every dataset that holds personal data.
        case dataset
    }

    public var target: Target
    /// Runs only: the run's operation is one of these.
    public var operations: [String]? = nil
    /// Runs only: one of the run's purposes is within one of these.
    public var purposes: [String]? = nil
    /// Runs only: the run's Art. 6 basis is one of these (`none`: it names none).
    public var legalBases: [String]? = nil
    /// Runs only: the run has a recipient in one of these countries (or international organisations).
    public var recipientCountries: [String]? = nil
    /// Runs only: the run completed.
    public var completed: Bool? = nil
    /// The data (a run's inputs and outputs, or the dataset) holds a category within one of these.
    public var categories: [String]? = nil
    /// Datasets only: stored in one of these countries.
    public var countries: [String]? = nil
    /// Stored (a dataset, or a run's output) or disclosed (a run's recipient) outside the EEA.
    public var outsideEEA: Bool? = nil
    /// Datasets only: holds data about one of these kinds of subject.
    public var subjectTypes: [String]? = nil

    public init(target: Target) {
        self.target = target
    }
}
