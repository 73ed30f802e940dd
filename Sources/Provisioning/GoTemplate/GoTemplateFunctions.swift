import Foundation

/// The functions a Go-template provisioner may call: Go's built-ins (`and` and `or` are the
/// evaluator's, since they do not evaluate every argument) and the sprig functions score-k8s's default
/// provisioners use, plus a few more of the same kind; `encodeSecretRef`. No function reads files, the
/// environment, the clock or the network, and each one's result is bounded.
struct GoTemplateFunctions: Sendable {
    /// Random text from an alphabet (the system's cryptographic generator unless a test fixes it).
    var random: @Sendable (_ alphabet: [Character], _ count: Int) -> String
    var limits: GoTemplateLimits

    static let builtInNames: Set<String> = ["and", "or", "not", "index", "slice", "len", "eq", "ne", "lt", "le", "gt", "ge",
                                            "print", "printf", "println"]

    static let sprigNames: Set<String> = [
        "quote", "squote", "cat", "dig", "default", "empty", "coalesce", "ternary", "required", "fail",
        "b64enc", "b64dec", "sha256sum", "uuidv4", "randAlphaNum", "randAlpha", "randNumeric", "randAscii",
        "lower", "upper", "title", "trim", "trimAll", "trimPrefix", "trimSuffix", "contains", "hasPrefix", "hasSuffix",
        "replace", "repeat", "substr", "trunc", "nospace", "indent", "nindent", "join", "splitList", "split",
        "toString", "toJson", "toRawJson", "toPrettyJson", "int", "int64", "float64", "atoi",
        "add", "add1", "sub", "mul", "div", "mod", "max", "min",
        "dict", "list", "get", "hasKey", "keys", "has", "first", "last", "append", "uniq", "sortAlpha", "until",
        "regexMatch", "regexFind", "regexReplaceAll",
    ]

    /// Every name a template may call.
    static let names: Set<String> = builtInNames.union(sprigNames).union(["encodeSecretRef"])

    static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let digits = Array("0123456789")

    /// The marker score-k8s writes for a value kept in a Kubernetes Secret: `🔐💬NAME_KEY💬🔐`. innominatus
    /// resolves it against the provisioner's own Secret manifests (`SecretReference`).
    static func secretReference(name: String, key: String) -> String { SecretReference.prefix + name + "_" + key + SecretReference.suffix }

    @Sendable static func systemRandom(_ alphabet: [Character], _ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    init(random: @escaping @Sendable (_ alphabet: [Character], _ count: Int) -> String = Self.systemRandom,
         limits: GoTemplateLimits = .init()) {
        self.random = random
        self.limits = limits
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    func call(_ name: String, _ arguments: [ManifestValue]) throws(GoFunctionError) -> ManifestValue {
        let a = arguments
        func count(_ range: ClosedRange<Int>) throws(GoFunctionError) {
            guard range.contains(a.count) else {
                throw GoFunctionError(range.lowerBound == range.upperBound
                    ? "wants \(range.lowerBound) argument\(range.lowerBound == 1 ? "" : "s"), got \(a.count)"
                    : "wants \(range.lowerBound) to \(range.upperBound) arguments, got \(a.count)")
            }
        }
        func atLeast(_ minimum: Int) throws(GoFunctionError) {
            guard a.count >= minimum else { throw GoFunctionError("wants at least \(minimum) argument\(minimum == 1 ? "" : "s"), got \(a.count)") }
        }
        switch name {
        // Go's built-ins.
        case "not": try count(1...1); return .bool(!Self.truth(a[0]))
        case "len":
            try count(1...1)
            switch a[0] {
            case .string(let text): return .int(text.utf8.count)
            case .list(let items): return .int(items.count)
            case .map(let entries): return .int(entries.count)
            default: throw GoFunctionError("len of \(GoFormat.typeName(a[0]))")
            }
        case "index":
            try atLeast(1)
            var value = a[0]
            for key in a.dropFirst() { value = try Self.index(value, key) }
            return value
        case "slice":
            try count(1...3)
            let from = a.count > 1 ? try Self.int(a[1]) : 0
            switch a[0] {
            case .string(let text):
                let bytes = Array(text.utf8)
                let to = a.count > 2 ? try Self.int(a[2]) : bytes.count
                guard from >= 0, from <= to, to <= bytes.count else { throw GoFunctionError("index out of range: \(from):\(to)") }
                return .string(String(decoding: bytes[from..<to], as: UTF8.self))
            case .list(let items):
                let to = a.count > 2 ? try Self.int(a[2]) : items.count
                guard from >= 0, from <= to, to <= items.count else { throw GoFunctionError("index out of range: \(from):\(to)") }
                return .list(Array(items[from..<to]))
            default: throw GoFunctionError("can't slice item of type \(GoFormat.typeName(a[0]))")
            }
        case "eq":
            try atLeast(2)
            for other in a.dropFirst() where try Self.compare(a[0], other) == .orderedSame { return .bool(true) }
            return .bool(false)
        case "ne": try count(2...2); return .bool(try Self.compare(a[0], a[1]) != .orderedSame)
        case "lt", "le", "gt", "ge":
            try count(2...2)
            guard Self.isOrdered(a[0]), Self.isOrdered(a[1]) else {
                throw GoFunctionError("invalid type for comparison: \(GoFormat.typeName(Self.isOrdered(a[0]) ? a[1] : a[0]))")
            }
            let order = try Self.compare(a[0], a[1])
            switch name {
            case "lt": return .bool(order == .orderedAscending)
            case "le": return .bool(order != .orderedDescending)
            case "gt": return .bool(order == .orderedDescending)
            default: return .bool(order != .orderedAscending)
            }
        case "print": return .string(GoFormat.sprint(a))
        case "println": return .string(GoFormat.sprintln(a))
        case "printf":
            try atLeast(1)
            return .string(GoFormat.sprintf(try Self.string(a[0]), Array(a.dropFirst())))
        case "encodeSecretRef":
            try count(2...2)
            return .string(Self.secretReference(name: try Self.string(a[0]), key: try Self.string(a[1])))
        default:
            return try sprig(name, a, count: count, atLeast: atLeast)
        }
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    private func sprig(_ name: String, _ a: [ManifestValue], count: (ClosedRange<Int>) throws(GoFunctionError) -> Void,
                       atLeast: (Int) throws(GoFunctionError) -> Void) throws(GoFunctionError) -> ManifestValue {
        switch name {
        case "quote": return .string(a.filter { $0 != .null }.map { GoFormat.quote(Self.strval($0)) }.joined(separator: " "))
        case "squote": return .string(a.filter { $0 != .null }.map { "'" + Self.strval($0) + "'" }.joined(separator: " "))
        case "cat": return .string(a.filter { $0 != .null }.map(Self.strval).joined(separator: " "))
        case "toString": try count(1...1); return .string(Self.strval(a[0]))
        case "dig":
            try atLeast(3)
            var map = a[a.count - 1]
            let fallback = a[a.count - 2]
            let keys = a.dropLast(2)
            for (offset, key) in keys.enumerated() {
                guard map == .null || map.entries != nil else {
                    throw GoFunctionError("dig: the value under '\(Self.strval(keys[keys.startIndex + offset - 1]))' is a "
                                          + "\(GoFormat.typeName(map)), not a map")
                }
                guard let step = map[try Self.string(key)] else { return fallback }
                map = step
            }
            return map
        case "default":
            try count(1...2)
            return a.count < 2 || Self.isEmpty(a[1]) ? a[0] : a[1]
        case "empty": try count(1...1); return .bool(Self.isEmpty(a[0]))
        case "coalesce": return a.first { !Self.isEmpty($0) } ?? .null
        case "ternary": try count(3...3); return Self.truth(a[2]) ? a[0] : a[1]
        case "required":
            try count(2...2)
            if a[1] == .null || a[1] == .string("") { throw GoFunctionError(try Self.string(a[0]), plain: true) }
            return a[1]
        case "fail": try count(1...1); throw GoFunctionError(try Self.string(a[0]), plain: true)
        case "b64enc": try count(1...1); return .string(Data(Self.strval(a[0]).utf8).base64EncodedString())
        case "b64dec":
            try count(1...1)
            guard let data = Data(base64Encoded: try Self.string(a[0])) else { throw GoFunctionError("the argument is not base64") }
            return .string(String(decoding: data, as: UTF8.self))
        case "sha256sum": try count(1...1); return .string(Self.sha256(Self.strval(a[0])))
        case "uuidv4": try count(0...0); return .string(UUID().uuidString.lowercased())
        case "randAlphaNum", "randAlpha", "randNumeric", "randAscii":
            try count(1...1)
            let length = try Self.int(a[0])
            guard (0...limits.randomLength).contains(length) else {
                throw GoFunctionError("wants a length from 0 to \(limits.randomLength), got \(length)")
            }
            let alphabet: [Character] = switch name {
            case "randAlphaNum": Self.letters + Self.digits
            case "randAlpha": Self.letters
            case "randNumeric": Self.digits
            default: (33...126).map { Character(Unicode.Scalar(UInt8($0))) }
            }
            return .string(random(alphabet, length))
        case "lower": try count(1...1); return .string(try Self.string(a[0]).lowercased())
        case "upper": try count(1...1); return .string(try Self.string(a[0]).uppercased())
        case "title":
            try count(1...1)
            var out = ""
            var atStart = true
            for character in try Self.string(a[0]) {
                out += atStart ? character.uppercased() : String(character)
                atStart = character.isWhitespace || character.isPunctuation
            }
            return .string(out)
        case "trim": try count(1...1); return .string(try Self.string(a[0]).trimmingCharacters(in: .whitespacesAndNewlines))
        case "trimAll":
            try count(2...2)
            return .string(try Self.string(a[1]).trimmingCharacters(in: CharacterSet(charactersIn: try Self.string(a[0]))))
        case "trimPrefix":
            try count(2...2)
            let (prefix, text) = (try Self.string(a[0]), try Self.string(a[1]))
            return .string(text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text)
        case "trimSuffix":
            try count(2...2)
            let (suffix, text) = (try Self.string(a[0]), try Self.string(a[1]))
            return .string(text.hasSuffix(suffix) && !suffix.isEmpty ? String(text.dropLast(suffix.count)) : text)
        case "contains": try count(2...2); return .bool(try Self.contains(try Self.string(a[1]), try Self.string(a[0])))
        case "hasPrefix": try count(2...2); return .bool(try Self.string(a[1]).hasPrefix(try Self.string(a[0])))
        case "hasSuffix": try count(2...2); return .bool(try Self.string(a[1]).hasSuffix(try Self.string(a[0])))
        case "replace":
            try count(3...3)
            let (old, new, text) = (try Self.string(a[0]), try Self.string(a[1]), try Self.string(a[2]))
            guard !old.isEmpty else { throw GoFunctionError("replace: the text to replace is empty") }
            return .string(text.replacingOccurrences(of: old, with: new))
        case "repeat":
            try count(2...2)
            let (times, text) = (try Self.int(a[0]), try Self.string(a[1]))
            guard times >= 0, times.multipliedReportingOverflow(by: max(1, text.utf8.count)).partialValue <= limits.valueBytes else {
                throw GoFunctionError("repeat: \(times) times would be longer than \(limits.valueBytes) bytes")
            }
            return .string(String(repeating: text, count: times))
        case "substr":
            try count(3...3)
            let (start, end) = (try Self.int(a[0]), try Self.int(a[1]))
            let bytes = Array(try Self.string(a[2]).utf8)
            let from = min(max(start, 0), bytes.count)
            let to = end < 0 || end > bytes.count ? bytes.count : max(end, from)
            return .string(String(decoding: bytes[(start < 0 ? 0 : from)..<to], as: UTF8.self))
        case "trunc":
            try count(2...2)
            let (length, text) = (try Self.int(a[0]), try Self.string(a[1]))
            let bytes = Array(text.utf8)
            if length >= 0, bytes.count > length { return .string(String(decoding: bytes[..<length], as: UTF8.self)) }
            if length < 0, bytes.count + length > 0 { return .string(String(decoding: bytes[(bytes.count + length)...], as: UTF8.self)) }
            return .string(text)
        case "nospace": try count(1...1); return .string(String(try Self.string(a[0]).filter { !$0.isWhitespace }))
        case "indent", "nindent":
            try count(2...2)
            let (width, text) = (try Self.int(a[0]), try Self.string(a[1]))
            guard (0...1000).contains(width) else { throw GoFunctionError("\(name): wants a width from 0 to 1000") }
            let pad = String(repeating: " ", count: width)
            let indented = pad + text.replacingOccurrences(of: "\n", with: "\n" + pad)
            return .string(name == "nindent" ? "\n" + indented : indented)
        case "join":
            try count(2...2)
            let separator = try Self.string(a[0])
            switch a[1] {
            case .list(let items): return .string(items.map(Self.strval).joined(separator: separator))
            default: return .string(Self.strval(a[1]))
            }
        case "splitList", "split":
            try count(2...2)
            let (separator, text) = (try Self.string(a[0]), try Self.string(a[1]))
            let parts = separator.isEmpty ? text.map(String.init) : text.components(separatedBy: separator)
            if name == "splitList" { return .list(parts.map(ManifestValue.string)) }
            return .map(parts.enumerated().map { ("_\($0.offset)", .string($0.element)) })
        case "toJson", "toRawJson", "toPrettyJson":
            try count(1...1)
            let sorted = Self.sortedKeys(a[0])
            var json = JSONText.encode(sorted, indent: name == "toPrettyJson" ? "  " : nil)
            if name == "toJson" {
                json = json.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
                    .replacingOccurrences(of: "&", with: "\\u0026")
            }
            return .string(json)
        case "int", "int64": try count(1...1); return .int(Self.castInt(a[0]))
        case "atoi": try count(1...1); return .int(Int(try Self.string(a[0])) ?? 0)
        case "float64":
            try count(1...1)
            switch a[0] {
            case .int(let number): return .double(Double(number))
            case .double: return a[0]
            case .string(let text): return .double(Double(text) ?? 0)
            case .bool(let flag): return .double(flag ? 1 : 0)
            default: return .double(0)
            }
        case "add":
            var sum = 0
            for value in a { sum = try Self.arithmetic(sum, Self.castInt(value), "+") }
            return .int(sum)
        case "add1": try count(1...1); return .int(try Self.arithmetic(Self.castInt(a[0]), 1, "+"))
        case "sub": try count(2...2); return .int(try Self.arithmetic(Self.castInt(a[0]), Self.castInt(a[1]), "-"))
        case "mul":
            try atLeast(1)
            var product = Self.castInt(a[0])
            for value in a.dropFirst() { product = try Self.arithmetic(product, Self.castInt(value), "*") }
            return .int(product)
        case "div", "mod":
            try count(2...2)
            let divisor = Self.castInt(a[1])
            guard divisor != 0 else { throw GoFunctionError("integer divide by zero") }
            let dividend = Self.castInt(a[0])
            guard !(dividend == .min && divisor == -1) else { throw GoFunctionError("integer overflow") }
            return .int(name == "div" ? dividend / divisor : dividend % divisor)
        case "max", "min":
            try atLeast(1)
            let numbers = a.map(Self.castInt)
            return .int((name == "max" ? numbers.max() : numbers.min())!)
        case "dict":
            var entries: [(String, ManifestValue)] = []
            var index = 0
            while index < a.count {
                let key = Self.strval(a[index])
                let value = index + 1 < a.count ? a[index + 1] : .string("")
                if let at = entries.firstIndex(where: { $0.0 == key }) { entries[at].1 = value } else { entries.append((key, value)) }
                index += 2
            }
            return .map(entries.sorted { $0.0 < $1.0 })
        case "list": return .list(a)
        case "get":
            try count(2...2)
            return try Self.map(a[0], name)[try Self.string(a[1])] ?? .string("")
        case "hasKey":
            try count(2...2)
            return .bool(try Self.map(a[0], name)[try Self.string(a[1])] != nil)
        case "keys":
            try atLeast(1)
            var keys: [String] = []
            for value in a { keys += try Self.map(value, name).entries?.map(\.0) ?? [] }
            return .list(keys.sorted().map(ManifestValue.string))
        case "has":
            try count(2...2)
            return .bool(try Self.list(a[1], name).contains(a[0]))
        case "first": try count(1...1); return try Self.list(a[0], name).first ?? .null
        case "last": try count(1...1); return try Self.list(a[0], name).last ?? .null
        case "append":
            try count(2...2)
            let items = try Self.list(a[0], name)
            guard items.count < limits.listItems else { throw GoFunctionError("append: the list would have more than \(limits.listItems) items") }
            return .list(items + [a[1]])
        case "uniq":
            try count(1...1)
            var out: [ManifestValue] = []
            for item in try Self.list(a[0], name) where !out.contains(item) { out.append(item) }
            return .list(out)
        case "sortAlpha":
            try count(1...1)
            return .list(try Self.list(a[0], name).map(Self.strval).sorted().map(ManifestValue.string))
        case "until":
            try count(1...1)
            let end = try Self.int(a[0])
            guard end.magnitude <= UInt(limits.listItems) else { throw GoFunctionError("until: wants at most \(limits.listItems) items") }
            return .list((end >= 0 ? Array(0..<end) : Array(stride(from: 0, to: end, by: -1))).map(ManifestValue.int))
        case "regexMatch", "regexFind", "regexReplaceAll":
            try count(name == "regexReplaceAll" ? 3...3 : 2...2)
            let pattern = try Self.string(a[0])
            let text = try Self.string(a[1])
            let expression = try regex(pattern, text: text)
            let whole = NSRange(text.startIndex..., in: text)
            switch name {
            case "regexMatch": return .bool(expression.firstMatch(in: text, range: whole) != nil)
            case "regexFind":
                guard let match = expression.firstMatch(in: text, range: whole), let range = Range(match.range, in: text) else { return .string("") }
                return .string(String(text[range]))
            default:
                let replacement = try Self.string(a[2]).replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "${", with: "$").replacingOccurrences(of: "}", with: "")
                return .string(expression.stringByReplacingMatches(in: text, range: whole, withTemplate: replacement))
            }
        default:
            throw GoFunctionError("is not a function innominatus provides")
        }
    }

    /// A regular expression from the (approved) provisioner file, over a bounded text: the pattern comes
    /// from platform code, the text may come from a Score.
    private func regex(_ pattern: String, text: String) throws(GoFunctionError) -> NSRegularExpression {
        guard pattern.utf8.count <= limits.regexPattern else { throw GoFunctionError("the pattern is longer than \(limits.regexPattern) bytes") }
        guard text.utf8.count <= limits.regexText else { throw GoFunctionError("the text is longer than \(limits.regexText) bytes") }
        do { return try NSRegularExpression(pattern: pattern) } catch {
            throw GoFunctionError("'\(pattern)' is not a regular expression")
        }
    }
}

/// A function's complaint; the evaluator adds the function's name and position.
struct GoFunctionError: Error {
    var message: String
    /// `fail` and `required`: the template's own words, shown without "error calling".
    var plain = false

    init(_ message: String, plain: Bool = false) {
        self.message = message
        self.plain = plain
    }
}

/// Bounds on what one template may do (hostile input): output, the size of one value, loop iterations,
/// evaluation steps, lengths of random text and of regular-expression input.
struct GoTemplateLimits: Sendable, Hashable {
    var outputBytes = 1 << 20
    var valueBytes = 1 << 20
    var listItems = 100_000
    var iterations = 100_000
    var steps = 1_000_000
    var randomLength = 4096
    var regexPattern = 1024
    var regexText = 64 << 10
}
