import Specs

/// Writes `ManifestValue`s as block YAML, the same bytes for the same value.
///
/// Our own emitter rather than libyaml's so quoting is decided here, once: a string is written plain
/// only when no YAML 1.1 or 1.2 reader could take it for anything but that string.
public enum YAMLEmitter {
    /// One or more documents, each started with `---`.
    public static func documents(_ values: [ManifestValue]) -> String {
        values.map { "---\n" + emit($0) }.joined()
    }

    public static func emit(_ value: ManifestValue) -> String {
        var out = ""
        switch value {
        case .map(let entries) where !entries.isEmpty: writeMap(entries, level: 0, into: &out)
        case .list(let items) where !items.isEmpty: writeList(items, level: 0, into: &out)
        default: out = scalar(value) + "\n"
        }
        return out
    }

    private static func writeMap(_ entries: [(String, ManifestValue)], level: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: level)
        for (key, value) in entries {
            out += pad + string(key) + ":"
            writeNested(value, level: level, into: &out)
        }
    }

    private static func writeList(_ items: [ManifestValue], level: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: level)
        for item in items {
            switch item {
            case .map(let entries) where !entries.isEmpty:
                // The first key shares the dash's line; the rest align under it.
                var nested = ""
                writeMap(entries, level: level + 1, into: &nested)
                let inner = String(repeating: "  ", count: level + 1)
                out += pad + "- " + nested.dropFirst(inner.count)
            case .list(let inner) where !inner.isEmpty:
                out += pad + "-\n"
                writeList(inner, level: level + 1, into: &out)
            default:
                out += pad + "- " + scalar(item) + "\n"
            }
        }
    }

    private static func writeNested(_ value: ManifestValue, level: Int, into out: inout String) {
        switch value {
        case .map(let entries) where !entries.isEmpty:
            out += "\n"
            writeMap(entries, level: level + 1, into: &out)
        case .list(let items) where !items.isEmpty:
            out += "\n"
            writeList(items, level: level, into: &out)
        case .string(let text) where text.contains("\n") && isLiteralSafe(text):
            let pad = String(repeating: "  ", count: level + 1)
            let chomp = text.hasSuffix("\n") ? (text.hasSuffix("\n\n") ? "+" : "") : "-"
            out += " |" + chomp + "\n"
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if text.hasSuffix("\n") { lines.removeLast() }
            for line in lines { out += line.isEmpty ? "\n" : pad + line + "\n" }
        default:
            out += " " + scalar(value) + "\n"
        }
    }

    /// A literal block keeps text exactly when its first line does not start with a space (the block's
    /// indentation is taken from it; later lines may be indented more, as scripts are), no line is only
    /// spaces (a reader may take it for an empty line), and there are no carriage returns or tabs a reader
    /// could fold.
    private static func isLiteralSafe(_ text: String) -> Bool {
        !text.contains("\r") && !text.contains("\t") && !text.hasPrefix(" ") && !text.hasPrefix("\n")
            && !text.split(separator: "\n").contains { !$0.isEmpty && $0.allSatisfy { $0 == " " } }
            && text.unicodeScalars.allSatisfy { $0.value >= 0x20 || $0 == "\n" }
    }

    private static func scalar(_ value: ManifestValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return number.isFinite ? String(number) : ".nan"
        case .string(let text): return string(text)
        case .list: return "[]"
        case .map: return "{}"
        }
    }

    private static let reserved: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"]

    /// Plain when made only of letters, digits and `-_./` (never starting with `-` or `.`), not a word
    /// YAML reads as a boolean or null, and not number-like; double-quoted (JSON escapes) otherwise.
    static func string(_ text: String) -> String {
        let safe = !text.isEmpty
            && text.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "-_./".unicodeScalars.contains($0) }
            && !text.hasPrefix("-") && !text.hasPrefix(".")
            && !(text.first.map { $0.isNumber } ?? false)
            && !reserved.contains(text.lowercased())
        return safe ? text : JSONString.quote(text)
    }
}
