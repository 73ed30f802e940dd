import Foundation
import Specs

/// JSON for the cmd provisioner protocol and the state file: written by hand so keys keep their order
/// and numbers their type, read with Foundation with object keys sorted so reading is deterministic.
public enum JSONText {
    public static func encode(_ value: ManifestValue, indent: String? = nil) -> String {
        var out = ""
        write(value, into: &out, indent: indent, level: 0)
        return out
    }

    private static func write(_ value: ManifestValue, into out: inout String, indent: String?, level: Int) {
        let newline = indent == nil ? "" : "\n"
        let pad = { (depth: Int) in indent.map { String(repeating: $0, count: depth) } ?? "" }
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .double(let number): out += number.isFinite ? String(number) : "null"
        case .string(let text): out += JSONString.quote(text)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + newline
            for (index, item) in items.enumerated() {
                out += pad(level + 1)
                write(item, into: &out, indent: indent, level: level + 1)
                out += (index < items.count - 1 ? "," : "") + newline
            }
            out += pad(level) + "]"
        case .map(let entries):
            if entries.isEmpty { out += "{}"; return }
            out += "{" + newline
            for (index, (key, item)) in entries.enumerated() {
                out += pad(level + 1) + JSONString.quote(key) + (indent == nil ? ":" : ": ")
                write(item, into: &out, indent: indent, level: level + 1)
                out += (index < entries.count - 1 ? "," : "") + newline
            }
            out += pad(level) + "}"
        }
    }


    /// Parses JSON text; nil when it is not JSON. Object keys keep the order they were written in.
    public static func decode(_ data: Data) -> ManifestValue? {
        var parser = JSONParser(bytes: Array(data))
        return parser.document()
    }
}
