/// A `${…}` reference inside a spec string, e.g. `${resources.db.host}` → `["resources", "db", "host"]`.
///
/// Score and workflow files share the syntax: `${a.b.c}` is a reference, `$$` is a literal `$` (so
/// `$${x}` is the text `${x}`), and a `$` before anything else is kept as written.
public struct Placeholder: Sendable, Hashable {
    public var parts: [String]

    /// As written: parts joined by '.', a '.' inside a part escaped as '\.'.
    public var reference: String { parts.map { $0.replacing(".", with: "\\.") }.joined(separator: ".") }

    /// Splits a reference at each '.' not escaped as '\.' (Score: `${metadata.annotations.example\.com/team}`).
    public static func split(_ body: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in body {
            if escaped {
                if character != "." { current.append("\\") }
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "." {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaped { current.append("\\") }
        parts.append(current)
        return parts
    }

    /// The references in `text`, and a sentence for each malformed one.
    public static func scan(_ text: String) -> (placeholders: [Placeholder], problems: [String]) {
        guard text.contains("$") else { return ([], []) }
        var placeholders: [Placeholder] = []
        var problems: [String] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "$", index + 1 < scalars.count else {
                index += 1
                continue
            }
            let next = scalars[index + 1]
            if next == "$" {
                index += 2
                continue
            }
            guard next == "{" else {
                index += 1
                continue
            }
            guard let close = scalars[(index + 2)...].firstIndex(of: "}") else {
                problems.append("the placeholder starting '${' is not closed; add '}' or write '$$' for a literal '$'")
                break
            }
            let body = String(String.UnicodeScalarView(scalars[(index + 2)..<close]))
            let parts = split(body)
            if body.isEmpty {
                problems.append("'${}' is an empty placeholder; name a value, e.g. ${metadata.name}")
            } else if parts.contains(where: { $0.isEmpty || $0.contains("{") || $0.contains(" ") }) {
                problems.append("'${\(body)}' is not a well-formed placeholder; write it as ${a.b.c} with no spaces or empty parts")
            } else {
                placeholders.append(Placeholder(parts: parts))
            }
            index = close + 1
        }
        return (placeholders, problems)
    }
}
