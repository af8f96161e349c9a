import Mustache

/// A report as its HTML template reads it.
///
/// Mustache finds a tag's value by reflecting on each object of the context stack, reading every property
/// of the object for every tag; a DSAR's few hundred rows made rendering cost more than building the
/// report. Wrapped here, each object is reflected once and its properties are looked up by name. What a
/// template sees is unchanged: optionals that are nil are absent (so the lookup climbs the stack, as
/// before), lists stay lists, and values without properties (text, numbers, flags, enums) pass as they are.
enum TemplateContext {
    static func wrap(_ value: Any) -> Any? {
        // The common leaves first: casts to a concrete type are cheap, to a protocol much less so.
        switch value {
        case is String, is Int, is Bool, is [String], is [Int]:
            return value
        case is Substring, is any BinaryInteger, is any BinaryFloatingPoint, is any MustacheParent,
             is any MustacheCustomRenderable, is any MustacheCustomRepresentation, is MustacheLambda:
            return value
        case let finding as FindingEntry:
            // A view of the engine's finding, with no stored properties to reflect on.
            return finding.template
        default:
            break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let wrapped = mirror.children.first?.value else { return nil }
            return wrap(wrapped)
        case .struct, .class:
            return TemplateObject(value, mirror: mirror)
        case .collection:
            return mirror.children.compactMap { wrap($0.value) }
        default:
            return value
        }
    }
}

/// One object of a report, its properties read once, on the first lookup.
private final class TemplateObject: MustacheParent, CustomStringConvertible {
    private let value: Any
    private var mirror: Mirror?
    private var properties: [String: Any] = [:]

    init(_ value: Any, mirror: Mirror) {
        self.value = value
        self.mirror = mirror
    }

    func child(named name: String) -> Any? {
        if let mirror {
            self.mirror = nil
            for case (let label?, let child) in mirror.children where properties[label] == nil {
                if let wrapped = TemplateContext.wrap(child) { properties[label] = wrapped }
            }
        }
        return properties[name]
    }

    var description: String { String(describing: value) }
}
