/// JSON string literals, written in one place for every layer that prints JSON (plans, notes, manifests,
/// the Score handed to steps).
public enum JSONString {
    /// A JSON string literal; also a valid YAML double-quoted scalar: characters YAML may not carry as
    /// they are (C0 and C1 controls, DEL, line and paragraph separators, BOM) are written `\uXXXX`.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let value = scalar.value
                if value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                    || value == 0xFEFF {
                    let hex = String(value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
