import Crypto
import CustodyModel
import Foundation

/// The policy pack as data: the built-in YAML files of `policies/`, embedded in the binary, with the
/// files of a `--policies` folder laid over them. It judges nothing; the policy engine does.
///
/// A file of the overlay with the name of a built-in file replaces it; any other file adds to the pack.
/// Every file may hold any of the sections (`categories`, `purposes`, `subjectTypes`, `eea`,
/// `territories`, `providerRegions`, `namespaces`, `organisations`, `adequacy`, `transferBases`,
/// `controller`, `retention`, `holds`, `rules`); a later file's entry replaces an earlier one with the same key (a rule's entry
/// changes only the fields it names), files being read built-in first and then the overlay's, each group
/// by name. Namespace patterns of the overlay are tried before the built-in ones.
public struct PolicyPack: Sendable {
    public let taxonomy: Taxonomy
    public let jurisdictions: Jurisdictions
    /// International organisations, adequacy decisions and the controller's recorded transfer bases.
    public let transfers: TransferRules
    /// The rules, in the order the files first named them (switched-off ones included, `enabled` false).
    public let rules: [PolicyRule]
    /// Who the controller is, if a policy file says so.
    public let controller: ControllerFacts?
    /// Retention periods, Art. 17(3) holds and the warning window.
    public let retention: RetentionRules
    /// How long after becoming aware of a breach the supervisory authority must be told (Art. 33(1): 72
    /// hours; a setting, because a pending EU proposal would change it).
    public let breachNotificationHours: Int
    /// SHA-256 over the names and bytes of the files the pack was made from: every result carries it, so
    /// a report says exactly which pack judged it.
    public let digest: String
    /// The files the pack was made from, in reading order, and where each came from.
    public let sources: [(name: String, origin: String)]

    /// The built-in pack.
    public static func builtIn() throws(PackError) -> PolicyPack {
        try load(overlay: nil)
    }

    /// The built-in pack with the `.yaml` files of `directory` laid over it.
    public static func load(overlay directory: String?) throws(PackError) -> PolicyPack {
        var files: [String: (text: String, origin: String)] = [:]
        for (name, text) in BuiltInPolicies.files { files[name] = (text, "built-in") }
        var overlayNames: [String] = []
        if let directory {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                throw PackError(file: directory, line: 1, column: 1, message: "cannot read the policy folder; check --policies or $CUSTODY_POLICIES")
            }
            for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                let path = directory + "/" + name
                guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    throw PackError(file: path, line: 1, column: 1, message: "cannot read the policy file as UTF-8 text")
                }
                files[name] = (text, path)
                if BuiltInPolicies.files[name] == nil { overlayNames.append(name) }
            }
        }
        let order = BuiltInPolicies.files.keys.sorted() + overlayNames
        return try PolicyPack(order.map { (name: $0, text: files[$0]!.text, origin: files[$0]!.origin) },
            overlayFiles: Set(overlayNames))
    }

    init(_ files: [(name: String, text: String, origin: String)], overlayFiles: Set<String>) throws(PackError) {
        var hasher = SHA256()
        for file in files {
            hasher.update(data: Array("\(file.name)\n\(file.text.utf8.count)\n".utf8))
            hasher.update(data: Array(file.text.utf8))
        }
        digest = hasher.finalize().map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        sources = files.map { ($0.name, $0.origin) }
        var builder = PackBuilder()
        for file in files {
            try builder.read(file.text, from: file.origin == "built-in" ? file.name : file.origin, isOverlay: overlayFiles.contains(file.name))
        }
        rules = try builder.finish()
        taxonomy = builder.taxonomy
        jurisdictions = builder.jurisdictions
        transfers = builder.transfers
        controller = builder.controller
        retention = builder.retention
        breachNotificationHours = builder.breachNotificationHours
    }
}
