import Specs
import Foundation

/// Substitutes Score placeholders as the Score specification defines them: `${metadata.KEY}`,
/// `${resources.NAME.KEY}` (deeper keys walk nested outputs), `$$` for a literal `$`, and `\.` for a dot
/// inside one key (`${metadata.annotations.example\.com/team}`).
///
/// It also says whether a secret output went into the result, so the renderer can keep that value out
/// of Deployments and ConfigMaps.
public struct PlaceholderResolver: Sendable {
    public var metadata: ManifestValue
    public var resources: [String: ProvisionedResource]

    public init(workload: ScoreWorkload, resources: [String: ProvisionedResource]) {
        var entries = workload.metadata.values.keys.sorted().map { ($0, ManifestValue.string(workload.metadata.values[$0]!)) }
        entries.removeAll { $0.0 == "annotations" }
        entries.append(("annotations", .sortedMap(workload.metadata.annotations.mapValues { .string($0) })))
        metadata = .map(entries)
        self.resources = resources
    }

    public struct Resolved: Sendable, Hashable {
        public var text: String
        /// True when a secret output was substituted into `text`.
        public var isSecret: Bool
    }

    /// The text with every placeholder replaced; an unknown reference is an error naming it and `field`.
    public func resolve(_ text: String, field: String) throws(ProvisioningError) -> Resolved {
        guard text.contains("$") else { return Resolved(text: text, isSecret: false) }
        var out = ""
        var isSecret = false
        // The validator's tokenizer with Score escapes (`$$` is one `$`; docs/ARCHITECTURE.md §15).
        for token in Placeholder.tokens(of: text, dollars: .score) {
            switch token {
            case .text(let piece):
                out += piece
            case .unclosed:
                throw ProvisioningError("\(field): '${' is not closed; add '}' or write '$$' for a literal '$'")
            case .malformed(_, let problem):
                throw ProvisioningError("\(field): \(problem)")
            case .reference(let placeholder):
                let value = try lookup(placeholder.parts, field: field)
                out += value.value.text
                isSecret = isSecret || value.isSecret
            }
        }
        return Resolved(text: out, isSecret: isSecret)
    }

    private func lookup(_ parts: [String], field: String) throws(ProvisioningError) -> (value: ManifestValue, isSecret: Bool) {
        let reference = "${" + parts.map { $0.replacingOccurrences(of: ".", with: "\\.") }.joined(separator: ".") + "}"
        switch parts.first {
        case "metadata" where parts.count >= 2:
            var value: ManifestValue? = metadata
            for part in parts.dropFirst() { value = value?[part] }
            guard let value else {
                throw ProvisioningError("\(field): \(reference) refers to metadata that is not set; add it under metadata or fix the name")
            }
            return (value, false)
        case "resources" where parts.count >= 2:
            guard let resource = resources[parts[1]] else {
                throw ProvisioningError("\(field): \(reference) refers to the resource '\(parts[1])', which is not declared; "
                                        + "declared: \(resources.keys.sorted().joined(separator: ", "))")
            }
            if parts.count == 2 { return (.string(parts[1]), false) }
            var value: ManifestValue? = resource.outputs
            for part in parts.dropFirst(2) { value = value?[part] }
            if value == nil, resource.deferred { return (.string(ProvisionedResource.atApply), false) }
            if value == nil, let environment = resource.environment, parts.count == 3 {
                guard let found = environment[parts[2]] else {
                    throw ProvisioningError("\(field): \(reference): '\(parts[2])' is not set in the environment; the platform team "
                                            + "sets it under workflowPolicies.environment in the admin config (for innominatus render: "
                                            + "export \(parts[2]))")
                }
                return (.string(found), false)
            }
            guard let value else {
                let keys = resource.outputs.entries?.map(\.0).joined(separator: ", ") ?? ""
                throw ProvisioningError("\(field): \(reference) names an output that resources.\(parts[1]) does not have; "
                                        + "its outputs are: \(keys)")
            }
            return (value, resource.secrets.contains(parts[2]))
        default:
            throw ProvisioningError("\(field): \(reference) is not a Score placeholder; use ${metadata.KEY} or ${resources.NAME.KEY}")
        }
    }

    /// Every string inside `value` resolved (for resource params).
    public func resolve(_ value: ManifestValue, field: String) throws(ProvisioningError) -> ManifestValue {
        switch value {
        case .string(let text):
            // A param that is one placeholder keeps the output's type, so `port: ${resources.api.port}` stays a number.
            if text.hasPrefix("${"), case let tokens = Placeholder.tokens(of: text, dollars: .score), tokens.count == 1,
               case .reference(let placeholder) = tokens[0] {
                return try lookup(placeholder.parts, field: field).value
            }
            return .string(try resolve(text, field: field).text)
        case .list(let items):
            var out: [ManifestValue] = []
            for (index, item) in items.enumerated() { out.append(try resolve(item, field: "\(field)[\(index)]")) }
            return .list(out)
        case .map(let entries):
            var out: [(String, ManifestValue)] = []
            for (key, item) in entries { out.append((key, try resolve(item, field: "\(field).\(key)"))) }
            return .map(out)
        default: return value
        }
    }

    /// The resource names `text` refers to, for dependency order.
    static func resourceReferences(in value: ManifestValue) -> Set<String> {
        switch value {
        case .string(let text):
            var names: Set<String> = []
            for placeholder in Placeholder.scan(text).placeholders where placeholder.parts.first == "resources" && placeholder.parts.count >= 2 {
                names.insert(placeholder.parts[1])
            }
            return names
        case .list(let items): return items.reduce(into: []) { $0.formUnion(resourceReferences(in: $1)) }
        case .map(let entries): return entries.reduce(into: []) { $0.formUnion(resourceReferences(in: $1.1)) }
        default: return []
        }
    }
}
