import Crypto
import CustodyModel
import Foundation
import Yams

/// The policy pack as data: the built-in YAML files of `policies/`, embedded in the binary, with the
/// files of a `--policies` folder laid over them. It judges nothing; the policy engine does.
///
/// A file of the overlay with the name of a built-in file replaces it; any other file adds to the pack.
/// Every file may hold any of the sections (`categories`, `purposes`, `subjectTypes`, `eea`,
/// `territories`, `providerRegions`, `namespaces`); a later file's entry replaces an earlier one with the
/// same key, files being read built-in first and then the overlay's, each group by name. Namespace
/// patterns of the overlay are tried before the built-in ones.
public struct PolicyPack: Sendable {
    public private(set) var taxonomy = Taxonomy()
    public private(set) var jurisdictions = Jurisdictions()
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
        var overlayRules: [Jurisdictions.NamespaceRule] = []
        var builtInRules: [Jurisdictions.NamespaceRule] = []
        for file in files {
            let rules = try read(file.text, from: file.origin == "built-in" ? file.name : file.origin)
            if overlayFiles.contains(file.name) { overlayRules += rules } else { builtInRules += rules }
        }
        jurisdictions.namespaceRules = overlayRules + builtInRules
    }

    /// Reads one file into the pack; returns its namespace rules, which are ordered by the caller.
    private mutating func read(_ text: String, from file: String) throws(PackError) -> [Jurisdictions.NamespaceRule] {
        let reader = YAMLReader(file: file)
        let document = try reader.document(text)
        var rules: [Jurisdictions.NamespaceRule] = []
        for (section, keyNode, value) in try reader.mapping(document, what: "a policy file") {
            switch section {
            case "version":
                guard try reader.int(value, what: "version") == 1 else {
                    throw reader.fail(value, "this Custody reads policy files of version 1")
                }
            case "categories":
                for entry in try entries(value, section: section, reader: reader, allowFlags: true) {
                    taxonomy.categories[entry.key] = entry
                }
            case "purposes":
                for entry in try entries(value, section: section, reader: reader, allowFlags: false) {
                    taxonomy.purposes[entry.key] = entry
                }
            case "subjectTypes":
                for entry in try entries(value, section: section, reader: reader, allowFlags: false) {
                    taxonomy.subjectTypes[entry.key] = entry
                }
            case "eea":
                for node in try reader.sequence(value, what: "eea") {
                    jurisdictions.eea.insert(try country(node, reader: reader, what: "an EEA member"))
                }
            case "territories":
                for (_, territoryNode, stateNode) in try reader.mapping(value, what: "territories") {
                    let territory = try country(territoryNode, reader: reader, what: "a territory")
                    jurisdictions.territories[territory] = try country(stateNode, reader: reader, what: "the state a territory belongs to")
                }
            case "providerRegions":
                for (provider, providerNode, regions) in try reader.mapping(value, what: "providerRegions") {
                    guard StorageLocation("\(provider):x") != nil else {
                        throw reader.fail(providerNode, "'\(provider)' is not a provider name (lower-case letters, digits, - and _)")
                    }
                    for (region, regionNode, countryNode) in try reader.mapping(regions, what: "the regions of \(provider)") {
                        guard StorageLocation("\(provider):\(region)") != nil else {
                            throw reader.fail(regionNode, "'\(region)' is not a region name")
                        }
                        jurisdictions.providerRegions[provider, default: [:]][region] = try country(countryNode, reader: reader, what: "the country of \(provider):\(region)")
                    }
                }
            case "namespaces":
                for node in try reader.sequence(value, what: "namespaces") {
                    var pattern: String?
                    var location: StorageLocation?
                    for (field, fieldNode, fieldValue) in try reader.mapping(node, what: "a namespace rule") {
                        switch field {
                        case "pattern": pattern = try reader.string(fieldValue, what: "pattern")
                        case "location":
                            let text = try reader.string(fieldValue, what: "location")
                            guard let parsed = StorageLocation(text) else {
                                throw reader.fail(fieldValue, "'\(text)' is neither a country code nor provider:region")
                            }
                            location = parsed
                        default: throw reader.fail(fieldNode, "unknown field '\(field)' in a namespace rule; expected pattern and location")
                        }
                    }
                    guard let pattern, let location else { throw reader.fail(node, "a namespace rule needs a pattern and a location") }
                    rules.append(Jurisdictions.NamespaceRule(pattern: pattern, location: location))
                }
            default:
                throw reader.fail(keyNode, "unknown section '\(section)'; expected version, categories, purposes, subjectTypes, eea, territories, providerRegions or namespaces")
            }
        }
        return rules
    }

    private func entries(_ node: Node, section: String, reader: YAMLReader, allowFlags: Bool) throws(PackError) -> [Taxonomy.Entry] {
        var result: [Taxonomy.Entry] = []
        for (key, keyNode, value) in try reader.mapping(node, what: section) {
            guard CustodyVocabulary.isDottedKey(key) else {
                throw reader.fail(keyNode, "'\(key)' is not a dotted key such as user.contact.email")
            }
            var name: String?
            var dpv: String?
            var direct = false
            var special: String?
            var criminal = false
            for (field, fieldNode, fieldValue) in try reader.mapping(value, what: "the entry \(key)") {
                switch field {
                case "name": name = try reader.string(fieldValue, what: "name")
                case "dpv": dpv = try reader.string(fieldValue, what: "dpv")
                case "directIdentifier" where allowFlags: direct = try reader.bool(fieldValue, what: "directIdentifier")
                case "criminal" where allowFlags: criminal = try reader.bool(fieldValue, what: "criminal")
                case "specialCategory" where allowFlags:
                    let value = try reader.string(fieldValue, what: "specialCategory")
                    guard Taxonomy.specialCategories.contains(value) else {
                        throw reader.fail(fieldValue, "'\(value)' is not an Art. 9(1) special category; expected one of \(Taxonomy.specialCategories.sorted().joined(separator: ", "))")
                    }
                    special = value
                default:
                    let known = allowFlags ? "name, dpv, directIdentifier, specialCategory, criminal" : "name, dpv"
                    throw reader.fail(fieldNode, "unknown field '\(field)' in \(section); expected \(known)")
                }
            }
            guard let name else { throw reader.fail(keyNode, "the entry \(key) needs a name") }
            result.append(Taxonomy.Entry(key: key, name: name, dpv: dpv, directIdentifier: direct, specialCategory: special, criminal: criminal))
        }
        return result
    }

    private func country(_ node: Node, reader: YAMLReader, what: String) throws(PackError) -> CountryCode {
        let text = try reader.string(node, what: what)
        guard let country = CountryCode(text) else {
            throw reader.fail(node, "'\(text)' is not an ISO 3166-1 alpha-2 country code (\(what))")
        }
        return country
    }
}
