/// Markup for the status pages, built so that nothing read from the repository can become markup
/// (docs/ARCHITECTURE.md §9, "Status pages"): tag and attribute names are `StaticString`s, which only
/// the source code can write; every text and attribute value is escaped as it is appended. App names,
/// reasons and log lines are written by many teams and are treated as hostile.
struct HTML: Sendable {
    private(set) var markup = ""

    init() {}

    /// Escaped text.
    mutating func text(_ text: some StringProtocol) {
        Self.escape(text, into: &markup)
    }

    /// Markup the source code wrote (the doctype); never input.
    mutating func constant(_ markup: StaticString) {
        self.markup += markup.description
    }

    mutating func append(_ other: HTML) {
        markup += other.markup
    }

    /// `<tag attributes>body</tag>`; an attribute whose value is nil is left out.
    mutating func element(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String?> = [:],
                          _ body: (inout HTML) -> Void = { _ in }) {
        open(tag, attributes)
        body(&self)
        markup += "</"
        markup += tag.description
        markup += ">"
    }

    /// `<tag attributes>text</tag>`.
    mutating func element(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String?> = [:], text: some StringProtocol) {
        element(tag, attributes) { $0.text(text) }
    }

    /// An element without content or end tag (`meta`, `link`, `input`, `br`).
    mutating func void(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String?> = [:]) {
        open(tag, attributes)
    }

    private mutating func open(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String?>) {
        markup += "<"
        markup += tag.description
        for (name, value) in attributes {
            guard let value else { continue }
            markup += " "
            markup += name.description
            markup += "=\""
            Self.escape(value, into: &markup)
            markup += "\""
        }
        markup += ">"
    }

    /// `&`, `<`, `>`, `"` and `'` as character references, so the result is safe both as text and inside a
    /// quoted attribute; NUL and other C0 controls but tab, newline and carriage return become U+FFFD.
    static func escape(_ text: some StringProtocol, into output: inout String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            case "\t", "\n", "\r": output.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    output += "\u{fffd}"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
    }

    static func escaped(_ text: some StringProtocol) -> String {
        var output = ""
        escape(text, into: &output)
        return output
    }
}
