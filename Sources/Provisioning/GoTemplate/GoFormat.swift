import Foundation

/// How Go's `fmt` writes values, for what templates print: `print`, `printf`, `println` and actions.
enum GoFormat {
    /// An action's value as text: what Go's template engine prints (`<no value>` for a missing key).
    static func action(_ value: ManifestValue) -> String {
        value == .null ? "<no value>" : text(value)
    }

    /// `%v`.
    static func text(_ value: ManifestValue) -> String {
        switch value {
        case .null: return "<nil>"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return float(number)
        case .string(let text): return text
        case .list(let items): return "[" + items.map(text).joined(separator: " ") + "]"
        case .map(let entries):
            return "map[" + entries.sorted { $0.0 < $1.0 }.map { "\($0.0):\(text($0.1))" }.joined(separator: " ") + "]"
        }
    }

    /// Go's shortest `%v` of a float64: `3` for 3.0, `1.5`, `1e+21`.
    static func float(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Inf" : "+Inf" }
        if number == number.rounded(), abs(number) < 1e18 { return String(Int64(number)) }
        // Swift writes 1e-05 and 1e+21 as Go does; integral values from 1e18 to 1e21 Go writes in full.
        if number == number.rounded(), abs(number) < 1e21 { return String(format: "%.0f", number) }
        return String(number)
    }

    /// `fmt.Sprint`: a space between two operands when neither is a string.
    static func sprint(_ values: [ManifestValue]) -> String {
        var out = ""
        for (index, value) in values.enumerated() {
            if index > 0, value.string == nil, values[index - 1].string == nil { out += " " }
            out += text(value)
        }
        return out
    }

    static func sprintln(_ values: [ManifestValue]) -> String {
        values.map(text).joined(separator: " ") + "\n"
    }

    static func typeName(_ value: ManifestValue) -> String {
        switch value {
        case .null: "<nil>"
        case .bool: "bool"
        case .int: "int"
        case .double: "float64"
        case .string: "string"
        case .list: "[]interface {}"
        case .map: "map[string]interface {}"
        }
    }

    /// `strconv.Quote`: a double-quoted Go string literal, which is also a valid YAML double-quoted scalar.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x80 {
                    out += String(format: "\\x%02x", scalar.value)
                } else if scalar.value < 0x10000 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out += String(format: "\\U%08x", scalar.value)
                }
            }
        }
        return out + "\""
    }

    /// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator: return false
        default: return true
        }
    }

    /// `fmt.Sprintf` for the verbs templates use: `%v %s %q %d %x %X %o %b %c %f %F %e %g %t %%`, with flags
    /// `- + 0 space #`, width and precision. A bad or missing argument is written as Go writes it (`%!d(string=a)`).
    /// The widest a `printf` verb may pad (and the most digits it may print).
    static let maximumWidth = 4096

    static func sprintf(_ format: String, _ arguments: [ManifestValue]) -> String {
        var out = ""
        var next = 0
        let scalars = Array(format.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            guard scalar == "%" else { out.unicodeScalars.append(scalar); continue }
            var minus = false, plus = false, zero = false, space = false, sharp = false
            flags: while index < scalars.count {
                switch scalars[index] {
                case "-": minus = true
                case "+": plus = true
                case "0": zero = true
                case " ": space = true
                case "#": sharp = true
                default: break flags
                }
                index += 1
            }
            var width: Int?
            while index < scalars.count, let digit = Int(String(scalars[index])) { width = min((width ?? 0) * 10 + digit, 1 << 40); index += 1 }
            var precision: Int?
            if index < scalars.count, scalars[index] == "." {
                index += 1
                precision = 0
                while index < scalars.count, let digit = Int(String(scalars[index])) { precision = min(precision! * 10 + digit, 1 << 40); index += 1 }
            }
            guard index < scalars.count else { out += "%!(NOVERB)"; break }
            // Go refuses widths and precisions past 1e6; these bounds keep one verb's text small.
            if (width ?? 0) > maximumWidth || (precision ?? 0) > maximumWidth {
                out += (width ?? 0) > maximumWidth ? "%!(BADWIDTH)" : "%!(BADPREC)"
                index += 1
                next += 1
                continue
            }
            let verb = Character(scalars[index])
            index += 1
            if verb == "%" { out += "%"; continue }
            guard next < arguments.count else { out += "%!\(verb)(MISSING)"; continue }
            let argument = arguments[next]
            next += 1
            var body: String
            var numeric = false
            switch (verb, argument) {
            case ("v", _), ("s", .string), ("s", .list), ("s", .map), ("s", .null):
                body = text(argument)
                if let precision, verb == "s" { body = String(body.prefix(precision)) }
            case ("q", .string(let text)): body = quote(text)
            case ("q", .int(let number)): body = "'" + (Unicode.Scalar(UInt32(clamping: max(0, number))).map { String(Character($0)) } ?? "\u{FFFD}") + "'"
            case ("t", .bool(let flag)): body = flag ? "true" : "false"
            case ("d", .int(let number)): body = signed(String(number.magnitude), negative: number < 0, plus: plus, space: space); numeric = true
            case ("x", .int(let number)), ("X", .int(let number)), ("o", .int(let number)), ("b", .int(let number)):
                let radix = verb == "o" ? 8 : verb == "b" ? 2 : 16
                var digits = String(number.magnitude, radix: radix, uppercase: verb == "X")
                if sharp { digits = (radix == 16 ? (verb == "X" ? "0X" : "0x") : radix == 8 ? "0" : "0b") + digits }
                body = signed(digits, negative: number < 0, plus: plus, space: space)
                numeric = true
            case ("x", .string(let text)), ("X", .string(let text)):
                body = text.utf8.map { String(format: verb == "X" ? "%02X" : "%02x", $0) }.joined()
            case ("c", .int(let number)): body = Unicode.Scalar(UInt32(clamping: max(0, number))).map { String(Character($0)) } ?? "\u{FFFD}"
            case ("f", _), ("F", _), ("e", _), ("g", _):
                guard let number = Self.number(argument) else { body = "%!\(verb)(\(typeName(argument))=\(text(argument)))"; break }
                switch verb {
                case "e": body = String(format: "%.\(precision ?? 6)e", abs(number))
                case "g": body = precision.map { String(format: "%.\($0)g", abs(number)) } ?? float(abs(number))
                default: body = String(format: "%.\(precision ?? 6)f", abs(number))
                }
                body = signed(body, negative: number < 0, plus: plus, space: space)
                numeric = true
            default:
                body = "%!\(verb)(\(typeName(argument))=\(text(argument)))"
            }
            if let width, body.count < width {
                let pad = width - body.count
                if minus {
                    body += String(repeating: " ", count: pad)
                } else if zero, numeric {
                    let sign = body.first.map { "+- ".contains($0) } == true ? String(body.removeFirst()) : ""
                    body = sign + String(repeating: "0", count: pad) + body
                } else {
                    body = String(repeating: " ", count: pad) + body
                }
            }
            out += body
        }
        if next < arguments.count {
            out += "%!(EXTRA " + arguments[next...].map { "\(typeName($0))=\(text($0))" }.joined(separator: ", ") + ")"
        }
        return out
    }

    private static func signed(_ digits: String, negative: Bool, plus: Bool, space: Bool) -> String {
        (negative ? "-" : plus ? "+" : space ? " " : "") + digits
    }

    private static func number(_ value: ManifestValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }
}
