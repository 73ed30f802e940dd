/// A `${…}` reference inside a spec string, e.g. `${resources.db.host}` → `["resources", "db", "host"]`.
///
/// Score and workflow files share the syntax, and `tokens(of:dollars:)` is its one tokenizer
/// (docs/ARCHITECTURE.md §15): the validator, the executor and the Score renderer all cut strings with it.
/// `${a.b.c}` is a reference, a '.' inside a part is written '\.', `$$` is a pair (so `$${x}` is the text
/// `${x}`), and a `$` before anything else is kept as written. The kinds differ only in what a pair
/// becomes (`Dollars`).
public struct Placeholder: Sendable, Hashable {
    public var parts: [String]

    public init(parts: [String]) {
        self.parts = parts
    }

    /// As written: parts joined by '.', a '.' inside a part escaped as '\.'.
    public var reference: String { parts.map { $0.replacing(".", with: "\\.") }.joined(separator: ".") }

    /// What `$$` stands for, per kind of file.
    public enum Dollars: Sendable, Hashable {
        /// Workflow steps: `$$` stays `$$` (a shell's own pid), and only `$${` is an escape, for `${`.
        case workflow
        /// Score files: `$$` is one `$`, as the Score specification says.
        case score
    }

    /// One piece of a spec string.
    public enum Token: Sendable, Hashable {
        /// Text to keep, with the escapes of the kind already applied.
        case text(String)
        /// A well-formed `${…}`.
        case reference(Placeholder)
        /// A `${body}` that is not well formed (empty, an empty part, a space or a '{'), and why.
        case malformed(body: String, problem: String)
        /// A `${` with no '}' after it; the rest of the string is not read.
        case unclosed
    }

    /// The validator's sentence for `.unclosed`.
    public static let unclosedProblem = "the placeholder starting '${' is not closed; add '}' or write '$$' for a literal '$'"

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

    /// `text` cut into text, references and malformed pieces, with the `$` escapes of `dollars` applied.
    public static func tokens(of text: String, dollars: Dollars) -> [Token] {
        guard text.contains("$") else { return [.text(text)] }
        var tokens: [Token] = []
        var pending = String.UnicodeScalarView()
        func flush() {
            if !pending.isEmpty { tokens.append(.text(String(pending))) }
            pending = String.UnicodeScalarView()
        }
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "$", index + 1 < scalars.count else {
                pending.append(scalars[index])
                index += 1
                continue
            }
            let next = scalars[index + 1]
            if next == "$" {
                switch dollars {
                case .score:
                    pending.append("$")
                    index += 2
                case .workflow where index + 2 < scalars.count && scalars[index + 2] == "{":
                    pending.append(contentsOf: "${".unicodeScalars)
                    index += 3
                case .workflow:
                    pending.append(contentsOf: "$$".unicodeScalars)
                    index += 2
                }
                continue
            }
            guard next == "{" else {
                pending.append("$")
                index += 1
                continue
            }
            guard let close = scalars[(index + 2)...].firstIndex(of: "}") else {
                flush()
                tokens.append(.unclosed)
                return tokens
            }
            flush()
            let body = String(String.UnicodeScalarView(scalars[(index + 2)..<close]))
            let parts = split(body)
            if body.isEmpty {
                tokens.append(.malformed(body: body, problem: "'${}' is an empty placeholder; name a value, e.g. ${metadata.name}"))
            } else if parts.contains(where: { $0.isEmpty || $0.contains("{") || $0.contains(" ") }) {
                tokens.append(.malformed(body: body, problem: "'${\(body)}' is not a well-formed placeholder; write it as "
                    + "${a.b.c} with no spaces or empty parts"))
            } else {
                tokens.append(.reference(Placeholder(parts: parts)))
            }
            index = close + 1
        }
        flush()
        return tokens
    }

    /// The references in `text`, and a sentence for each malformed one (the validator's view).
    public static func scan(_ text: String) -> (placeholders: [Placeholder], problems: [String]) {
        guard text.contains("$") else { return ([], []) }
        var placeholders: [Placeholder] = []
        var problems: [String] = []
        for token in tokens(of: text, dollars: .workflow) {
            switch token {
            case .text: continue
            case .reference(let placeholder): placeholders.append(placeholder)
            case .malformed(_, let problem): problems.append(problem)
            case .unclosed: problems.append(unclosedProblem)
            }
        }
        return (placeholders, problems)
    }
}
