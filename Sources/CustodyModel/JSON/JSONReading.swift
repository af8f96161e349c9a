/// Reading a JSON value, whether it was parsed into a `JSONValue` tree (an event being ingested) or is read
/// in place from its text (`JSONTape`, a stored event being replayed), so that what is taken from an event
/// is written once for both.
public protocol JSONReading: Sendable {
    /// The member `key` of an object; `nil` for a missing member or a value that is not an object.
    subscript(key: String) -> Self? { get }
    /// The value of a string; `nil` for any other value.
    var stringValue: String? { get }
    /// Whether the value is a string, without making it.
    var isString: Bool { get }
    /// The value of `true` or `false`; `nil` for any other value.
    var boolValue: Bool? { get }
    /// The elements of an array, in order; `nil` for any other value.
    var elements: [Self]? { get }
    /// The members of an object, in the order of the text; `nil` for any other value.
    var members: [(key: String, value: Self)]? { get }
    /// The value as RFC 8785 canonical JSON; `nil` for a number canonical JSON cannot hold.
    var canonicalText: String? { get }
}

extension JSONValue: JSONReading {
    public var isString: Bool {
        if case .string = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var elements: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var members: [(key: String, value: JSONValue)]? {
        if case .object(let object) = self { return object.members }
        return nil
    }

    public var canonicalText: String? {
        (try? CanonicalJSON.encode(self)).map { String(decoding: $0, as: UTF8.self) }
    }
}
