/// Resolves a plain scalar to null, boolean, integer, float or string with the rules of Yams' default
/// resolver (YAML 1.1), hand-coded so that validating a thousand files does not run a thousand regular
/// expressions per scalar.
///
/// Quoted and block scalars, and scalars tagged `!!str`, are always strings; the caller handles that.
enum ScalarResolver {
    static func resolve(plain text: String) -> YAMLNode.Value {
        // Every special word is at most 6 bytes and starts with one of these: most scalars skip the
        // thirty string comparisons below.
        let utf8 = text.utf8
        if utf8.count <= 6, utf8.first.map({ Self.wordStarts.contains($0) }) ?? true {
            return special(text) ?? numberOrString(text)
        }
        return numberOrString(text)
    }

    private static let wordStarts = Set("~nNyYtToOfF.+-".utf8)

    private static func numberOrString(_ text: String) -> YAMLNode.Value {
        guard let first = text.utf8.first, isNumberStart(first) else { return .string(text) }
        if let integer = integer(text) { return integer }
        if let float = float(text) { return .float(float) }
        return .string(text)
    }

    private static func special(_ text: String) -> YAMLNode.Value? {
        switch text {
        case "", "~", "null", "Null", "NULL":
            return .null
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
            return .bool(true)
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
            return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
            return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF":
            return .float(-.infinity)
        case ".nan", ".NaN", ".NAN":
            return .float(.nan)
        default:
            return nil
        }
    }

    /// Resolves a scalar that carries an explicit core tag (`!!int 12`, `!!str 12`).
    static func resolve(text: String, tag: String) -> YAMLNode.Value {
        switch tag {
        case "tag:yaml.org,2002:str": return .string(text)
        case "tag:yaml.org,2002:null": return .null
        case "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float":
            return resolve(plain: text)
        default: return .string(text)
        }
    }

    private static func isNumberStart(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || byte == 0x2B || byte == 0x2D || byte == 0x2E
    }

    /// `[-+]?(0|[1-9][0-9_]*)`, `0b…`, `0o…`/`0…` (octal), `0x…` and sexagesimal `1:30`.
    private static func integer(_ text: String) -> YAMLNode.Value? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard let first = body.first, first.isASCII, first.isNumber else { return nil }
        func parse(_ digits: Substring, radix: Int) -> YAMLNode.Value? {
            let cleaned = digits.filter { $0 != "_" }
            guard !cleaned.isEmpty else { return nil }
            if let value = Int(cleaned, radix: radix) { return .int(negative ? -value : value) }
            // Digits valid for the radix but too large for Int: still a number to JSON Schema.
            guard cleaned.allSatisfy({ $0.isHexDigit }) else { return nil }
            return Double(String(cleaned)).map { .float(negative ? -$0 : $0) }
        }
        if body.hasPrefix("0b") { return all(body.dropFirst(2), in: "01_") ? parse(body.dropFirst(2), radix: 2) : nil }
        if body.hasPrefix("0x") {
            return body.dropFirst(2).allSatisfy({ $0.isHexDigit || $0 == "_" }) ? parse(body.dropFirst(2), radix: 16) : nil
        }
        if body.hasPrefix("0o") { return all(body.dropFirst(2), in: "01234567_") ? parse(body.dropFirst(2), radix: 8) : nil }
        if body == "0" { return .int(0) }
        if body.hasPrefix("0") { return all(body.dropFirst(), in: "01234567_") ? parse(body.dropFirst(), radix: 8) : nil }
        if all(body, in: "0123456789_") { return parse(body, radix: 10) }
        if body.contains(":") {
            // Sexagesimal: 1:30 == 90.
            let parts = body.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count > 1, all(parts[0], in: "0123456789_"), parts[0].first != "0" else { return nil }
            var total = 0
            for (index, part) in parts.enumerated() {
                let digits = part.filter { $0 != "_" }
                guard let value = Int(digits), index == 0 || (part.count <= 2 && value < 60) else { return nil }
                let (scaled, overflow) = total.multipliedReportingOverflow(by: 60)
                guard !overflow else { return nil }
                total = scaled + value
            }
            return .int(negative ? -total : total)
        }
        return nil
    }

    /// `[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?` and `\.[0-9_]+([eE][-+][0-9]+)?`.
    private static func float(_ text: String) -> Double? {
        var body = Substring(text)
        if let sign = body.first, sign == "+" || sign == "-" { body = body.dropFirst() }
        let bytes = Array(body.utf8)
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, (bytes[index] >= 0x30 && bytes[index] <= 0x39) || bytes[index] == 0x5F {
                index += 1
            }
            return index - start
        }
        let leading = digits()
        if leading > 0 {
            guard bytes[0] != 0x5F else { return nil }
            if index < bytes.count, bytes[index] == 0x2E {
                index += 1
                _ = digits()
            }
        } else {
            guard index < bytes.count, bytes[index] == 0x2E else { return nil }
            index += 1
            guard digits() > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] == 0x65 || bytes[index] == 0x45 {
            index += 1
            if index < bytes.count, bytes[index] == 0x2B || bytes[index] == 0x2D { index += 1 }
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            guard index > start else { return nil }
        }
        guard index == bytes.count else { return nil }
        return Double(text.filter { $0 != "_" })
    }

    private static func all(_ text: Substring, in allowed: String) -> Bool {
        !text.isEmpty && text.allSatisfy { allowed.contains($0) }
    }
}
