import Specs

/// A JSON-like value with ordered maps: what provisioners produce and what manifests are made of.
///
/// Maps keep their insertion order so the emitter writes keys exactly as the renderer built them;
/// that order, never a hash order, is what makes rendering byte-identical from one run to the next.
public indirect enum ManifestValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ManifestValue])
    case map([(String, ManifestValue)])

    public static func == (lhs: ManifestValue, rhs: ManifestValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.map(let a), .map(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .int(let value): hasher.combine(value)
        case .double(let value): hasher.combine(value)
        case .string(let value): hasher.combine(value)
        case .list(let values): hasher.combine(values)
        case .map(let entries):
            for (key, value) in entries { hasher.combine(key); hasher.combine(value) }
        }
    }

    /// The value converted from a composed YAML node, keeping the file's key order.
    public init(_ node: YAMLNode) {
        switch node.value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .float(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .sequence(let items): self = .list(items.map(ManifestValue.init))
        case .mapping(let entries): self = .map(entries.map { ($0.key, ManifestValue($0.value)) })
        }
    }

    public subscript(key: String) -> ManifestValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.0 == key }?.1
    }

    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var entries: [(String, ManifestValue)]? {
        if case .map(let entries) = self { return entries }
        return nil
    }

    public var items: [ManifestValue]? {
        if case .list(let items) = self { return items }
        return nil
    }

    /// The text a placeholder puts into a string: scalars as written, structures as compact JSON.
    public var text: String {
        switch self {
        case .null: return ""
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let text): return text
        case .list, .map: return JSONText.encode(self)
        }
    }

    /// A copy with `key` set, replacing an existing entry in place or appending a new one.
    public func setting(_ key: String, to value: ManifestValue) -> ManifestValue {
        var entries = self.entries ?? []
        if let index = entries.firstIndex(where: { $0.0 == key }) { entries[index].1 = value } else { entries.append((key, value)) }
        return .map(entries)
    }

    /// A map value from entries whose keys are sorted, for data that came from a dictionary.
    public static func sortedMap(_ dictionary: [String: ManifestValue]) -> ManifestValue {
        .map(dictionary.keys.sorted().map { ($0, dictionary[$0]!) })
    }
}
