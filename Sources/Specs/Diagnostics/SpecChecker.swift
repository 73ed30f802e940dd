/// Collects the diagnostics of one file while a decoder walks its YAML tree, and checks values the way
/// JSON Schema checks the decoded document: types are exact (an explicit `null` is not an absent key,
/// `12` is not the string "12"), unknown fields are errors.
///
/// Each check returns the typed value when it passed, or nil after recording an error, so decoders
/// read as a list of fields and keep going to report every problem of the file at once.
struct SpecChecker {
    let file: String
    private(set) var diagnostics: [SpecDiagnostic] = []

    init(file: String) {
        self.file = file
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    mutating func error(_ location: SourceLocation, _ path: FieldPath, _ message: String) {
        diagnostics.append(SpecDiagnostic(.error, file: file, at: location, field: path.description, message: message))
    }

    mutating func warning(_ location: SourceLocation, _ path: FieldPath, _ message: String) {
        diagnostics.append(SpecDiagnostic(.warning, file: file, at: location, field: path.description, message: message))
    }

    mutating func append(_ more: [SpecDiagnostic]) {
        diagnostics += more
    }

    private mutating func typeError(_ node: YAMLNode, _ path: FieldPath, expected: String) {
        var message = "must be \(expected), not \(node.typeDescription)"
        let isScalar = switch node.value {
        case .int, .float, .bool: true
        default: false
        }
        if case .null = node.value {
            message += "; remove the field or give it a value"
        } else if isScalar, expected.contains("string") {
            message += "; quote it (\"\(node.text)\") if you mean text"
        } else {
            message += "; change the value"
        }
        error(node.location, path, message)
    }

    // MARK: Types

    mutating func mapping(_ node: YAMLNode, at path: FieldPath) -> [YAMLEntry]? {
        guard let entries = node.entries else {
            typeError(node, path, expected: "a map")
            return nil
        }
        return entries
    }

    mutating func sequence(_ node: YAMLNode, at path: FieldPath) -> [YAMLNode]? {
        guard let items = node.items else {
            typeError(node, path, expected: "a list")
            return nil
        }
        return items
    }

    mutating func string(_ node: YAMLNode, at path: FieldPath, minLength: Int = 0) -> String? {
        guard let string = node.string else {
            typeError(node, path, expected: "a string")
            return nil
        }
        if string.count < minLength {
            error(node.location, path, minLength == 1
                ? "must not be empty" : "must be at least \(minLength) characters long")
            return nil
        }
        return string
    }

    /// JSON Schema's "integer": an integer, or a number with no fractional part (`80.0`).
    mutating func integer(_ node: YAMLNode, at path: FieldPath, in range: ClosedRange<Int>? = nil) -> Int? {
        let value: Int
        switch node.value {
        case .int(let integer):
            value = integer
        case .float(let number) where number.isFinite && number.rounded() == number && abs(number) < 1e15:
            value = Int(number)
        default:
            typeError(node, path, expected: "an integer")
            return nil
        }
        if let range, !range.contains(value) {
            error(node.location, path, "must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
            return nil
        }
        return value
    }

    mutating func bool(_ node: YAMLNode, at path: FieldPath) -> Bool? {
        guard case .bool(let flag) = node.value else {
            typeError(node, path, expected: "true or false")
            return nil
        }
        return flag
    }

    mutating func stringList(_ node: YAMLNode, at path: FieldPath) -> [String]? {
        guard let items = sequence(node, at: path) else { return nil }
        var strings: [String] = []
        var valid = true
        for (index, item) in items.enumerated() {
            if let string = string(item, at: path.appending(index: index)) { strings.append(string) } else { valid = false }
        }
        return valid ? strings : nil
    }

    /// A map whose values are all strings (`variables`, `annotations`).
    mutating func stringMap(_ node: YAMLNode, at path: FieldPath) -> [String: String]? {
        guard let entries = mapping(node, at: path) else { return nil }
        var result: [String: String] = [:]
        for entry in entries {
            if let value = string(entry.value, at: path / entry.key) { result[entry.key] = value }
        }
        return result
    }

    mutating func oneOf(_ node: YAMLNode, at path: FieldPath, _ allowed: [String]) -> String? {
        guard let value = string(node, at: path) else { return nil }
        guard allowed.contains(value) else {
            let hint = Suggestion.closest(to: value, among: allowed).map { " Did you mean '\($0)'?" } ?? ""
            error(node.location, path, "'\(value)' is not one of \(allowed.joined(separator: ", ")).\(hint)")
            return nil
        }
        return value
    }

    /// Checks a string against a pattern (a hand-written matcher mirroring the schema's regex).
    mutating func matching(
        _ node: YAMLNode, at path: FieldPath, _ isValid: (String) -> Bool, _ explanation: String
    ) -> String? {
        guard let value = string(node, at: path) else { return nil }
        guard isValid(value) else {
            error(node.location, path, "'\(value)' is not valid: \(explanation)")
            return nil
        }
        return value
    }

    // MARK: Objects

    /// The fields of a map, after reporting unknown keys (with a "did you mean") and missing required ones.
    mutating func fields(
        _ node: YAMLNode, at path: FieldPath, known: [String], required: [String] = [], allowOthers: Bool = false
    ) -> Fields? {
        guard let entries = mapping(node, at: path) else { return nil }
        if !allowOthers {
            for entry in entries where !known.contains(entry.key) {
                error(entry.keyLocation, path / entry.key,
                      "unknown field '\(entry.key)'.\(Suggestion.hint(for: entry.key, among: known))")
            }
        }
        for name in required where !entries.contains(where: { $0.key == name }) {
            error(node.location, path, "missing required field '\(name)'; add it")
        }
        return Fields(entries: entries, node: node)
    }
}

/// The entries of a checked map, by name.
struct Fields {
    let entries: [YAMLEntry]
    let node: YAMLNode

    subscript(name: String) -> YAMLNode? {
        entries.first { $0.key == name }?.value
    }

    func entry(_ name: String) -> YAMLEntry? {
        entries.first { $0.key == name }
    }

    func has(_ name: String) -> Bool { entries.contains { $0.key == name } }
}
