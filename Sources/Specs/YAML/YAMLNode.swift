/// A composed YAML value with the position of every node: the `Sendable` tree the validators read.
///
/// Yams' `Node` is not `Sendable` and loses duplicate keys; this tree keeps what a validator needs to
/// check a spec the way JSON Schema would (resolved scalar types, explicit `null`) and to point at
/// file:line:column for each problem.
public struct YAMLNode: Sendable, Hashable, Codable {
    /// A value resolved with YAML 1.1 rules (as Yams' default resolver), so `12` is an integer, `yes` a
    /// boolean and `~` null, exactly what a JSON Schema validator would see after decoding.
    public indirect enum Value: Sendable, Hashable, Codable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
        case sequence([YAMLNode])
        case mapping([YAMLEntry])
    }

    public var value: Value
    public var location: SourceLocation
    /// The scalar as written in the file, for messages ("got the integer 12").
    public var text: String

    public init(_ value: Value, at location: SourceLocation, text: String = "") {
        self.value = value
        self.location = location
        self.text = text
    }

    public var string: String? {
        if case .string(let string) = value { return string }
        return nil
    }

    public var entries: [YAMLEntry]? {
        if case .mapping(let entries) = value { return entries }
        return nil
    }

    public var items: [YAMLNode]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    /// The value of `key` when this node is a mapping.
    public subscript(key: String) -> YAMLNode? {
        entries?.first { $0.key == key }?.value
    }

    /// The JSON Schema type name of this value, used in "expected …, got …" messages.
    public var typeDescription: String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return "the boolean \(flag)"
        case .int: return "the integer \(text)"
        case .float: return "the number \(text)"
        case .string: return "a string"
        case .sequence: return "a list"
        case .mapping: return "a map"
        }
    }
}

/// One key of a mapping, with where the key itself was written (duplicate-key and unknown-field
/// errors point at the key, type errors at the value).
public struct YAMLEntry: Sendable, Hashable, Codable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: YAMLNode

    public init(key: String, keyLocation: SourceLocation, value: YAMLNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
