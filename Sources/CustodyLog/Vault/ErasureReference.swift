/// What an `erasedSubjects` entry records for a person the vault has forgotten: a reference to the
/// erasure request their tombstone leads to, in place of a token. It closes that request's items and
/// links to nothing older.
public enum ErasureReference {
    static let prefix = "erasure:"

    /// The recorded form for `request`.
    public static func token(_ request: String) -> String { prefix + request }
}
