import Foundation

/// The template language of `template` provisioners: `{{ expression }}` substitution, nothing more,
/// so a provisioner file from a platform repository can never run code.
///
/// An expression is a dotted path into the context (`state.password`, `params.size`), where a part
/// may be indexed by another path (`workload.ports[params.port]`: the key is that path's value), a quoted
/// literal (`"5432"`), or alternatives `a ?? b` where the first one that is set wins. `random.password`
/// and `random.id` are fresh values, meant as the fallback of a state key (`state.password ?? random.password`)
/// so they are generated once and then kept. A scalar that is exactly one `{{ … }}` takes the value's own
/// type (a map stays a map); inside longer text the value is written as text.
public struct Template: Sendable {
    public var context: ManifestValue
    public var random: @Sendable (RandomKind) -> String

    public enum RandomKind: Sendable { case password, id }

    public init(context: ManifestValue, random: @escaping @Sendable (RandomKind) -> String = RandomValue.generate) {
        self.context = context
        self.random = random
    }

    /// Every string inside `value`, keys included, with its expressions replaced.
    public func render(_ value: ManifestValue) throws(ProvisioningError) -> ManifestValue {
        switch value {
        case .string(let text): return try render(text)
        case .list(let items):
            var rendered: [ManifestValue] = []
            for item in items { rendered.append(try render(item)) }
            return .list(rendered)
        case .map(let entries):
            var rendered: [(String, ManifestValue)] = []
            for (key, item) in entries { rendered.append((try render(key).text, try render(item))) }
            return .map(rendered)
        default: return value
        }
    }

    public func render(_ text: String) throws(ProvisioningError) -> ManifestValue {
        guard text.contains("{{") else { return .string(text) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}"), trimmed.dropFirst(2).range(of: "{{") == nil {
            return try evaluate(String(trimmed.dropFirst(2).dropLast(2)))
        }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw ProvisioningError("the template '\(text)' has '{{' without a closing '}}'")
            }
            out += try evaluate(String(rest[open.upperBound..<close.lowerBound])).text
            rest = rest[close.upperBound...]
        }
        return .string(out + rest)
    }

    func evaluate(_ expression: String) throws(ProvisioningError) -> ManifestValue {
        let alternatives = expression.components(separatedBy: "??").map { $0.trimmingCharacters(in: .whitespaces) }
        for alternative in alternatives {
            if alternative.count >= 2, let quote = alternative.first, quote == "\"" || quote == "'", alternative.last == quote {
                return .string(String(alternative.dropFirst().dropLast()))
            }
            if alternative == "random.password" { return .string(random(.password)) }
            if alternative == "random.id" { return .string(random(.id)) }
            guard let value = try lookup(alternative, in: expression) else { continue }
            if value != .null { return value }
        }
        if alternatives.count == 1 {
            throw ProvisioningError("'{{ \(expression) }}' names nothing in the template context (id, uid, type, class, "
                                    + "app, params, metadata, state, outputs); add a fallback with '?? \"value\"'")
        }
        return .null
    }

    /// The value at a dotted path, whose parts may carry one index (`ports[params.port]`); nil when the
    /// path names nothing.
    private func lookup(_ path: String, in expression: String) throws(ProvisioningError) -> ManifestValue? {
        func plain(_ text: Substring) -> Bool {
            !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) }
        }
        var value: ManifestValue? = context
        var rest = Substring(path)
        while !rest.isEmpty {
            let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
            let key = rest[..<end]
            guard plain(key) else { throw Self.notAnExpression(expression) }
            value = value?[String(key)]
            rest = rest[end...]
            if rest.first == "[" {
                guard let close = rest.firstIndex(of: "]"), plain(rest[rest.index(after: rest.startIndex)..<close]) else {
                    throw Self.notAnExpression(expression)
                }
                let index = try lookup(String(rest[rest.index(after: rest.startIndex)..<close]), in: expression)
                guard let name = index.map({ $0.text }), !name.isEmpty else { return nil }
                value = value?[name]
                rest = rest[rest.index(after: close)...]
            }
            if rest.first == "." { rest = rest.dropFirst() } else if !rest.isEmpty { throw Self.notAnExpression(expression) }
        }
        return value
    }

    private static func notAnExpression(_ expression: String) -> ProvisioningError {
        ProvisioningError("'{{ \(expression) }}' is not a template expression; write a dotted path such as "
                          + "{{ params.name }} (a part may be indexed by another path: {{ workload.ports[params.port] }}), "
                          + "a quoted literal, or alternatives joined by '??'")
    }
}
