import Crypto
import Foundation

/// How template functions read their arguments: Go's truth, comparison and indexing rules, and
/// sprig's conversions (`strval`, `empty`, `toInt`).
extension GoTemplateFunctions {
    /// Go's truth: false, 0, nil and empty strings, lists and maps are false.
    static func truth(_ value: ManifestValue) -> Bool {
        switch value {
        case .null: false
        case .bool(let flag): flag
        case .int(let number): number != 0
        case .double(let number): number != 0
        case .string(let text): !text.isEmpty
        case .list(let items): !items.isEmpty
        case .map(let entries): !entries.isEmpty
        }
    }

    /// sprig's `empty`: the same as not true.
    static func isEmpty(_ value: ManifestValue) -> Bool { !truth(value) }

    /// sprig's `strval`: a string as itself, anything else as `%v`.
    static func strval(_ value: ManifestValue) -> String { GoFormat.text(value) }

    /// A string argument: strings, and scalars written as text; no value is an error, as in Go.
    static func string(_ value: ManifestValue) throws(GoFunctionError) -> String {
        switch value {
        case .string(let text): return text
        case .int, .double, .bool: return GoFormat.text(value)
        default: throw GoFunctionError("wants a string, got \(value == .null ? "no value" : GoFormat.typeName(value))")
        }
    }

    /// An int argument: an int, or a float without a fraction.
    static func int(_ value: ManifestValue) throws(GoFunctionError) -> Int {
        switch value {
        case .int(let number): return number
        case .double(let number) where number == number.rounded() && abs(number) < 9e18: return Int(number)
        default: throw GoFunctionError("wants an integer, got \(value == .null ? "no value" : GoFormat.typeName(value))")
        }
    }

    /// sprig's `toInt64`: numbers, numeric strings and booleans; anything else is 0.
    static func castInt(_ value: ManifestValue) -> Int {
        switch value {
        case .int(let number): number
        case .double(let number): number.isFinite && abs(number) < 9e18 ? Int(number) : 0
        case .string(let text): Int(text) ?? Double(text).flatMap { $0.isFinite && abs($0) < 9e18 ? Int($0) : nil } ?? 0
        case .bool(let flag): flag ? 1 : 0
        default: 0
        }
    }

    static func arithmetic(_ lhs: Int, _ rhs: Int, _ symbol: String) throws(GoFunctionError) -> Int {
        let (result, overflow): (Int, Bool) = switch symbol {
        case "+": lhs.addingReportingOverflow(rhs)
        case "-": lhs.subtractingReportingOverflow(rhs)
        default: lhs.multipliedReportingOverflow(by: rhs)
        }
        guard !overflow else { throw GoFunctionError("integer overflow in \(lhs) \(symbol) \(rhs)") }
        return result
    }

    static func map(_ value: ManifestValue, _ function: String) throws(GoFunctionError) -> ManifestValue {
        guard value == .null || value.entries != nil else { throw GoFunctionError("wants a map, got \(GoFormat.typeName(value))") }
        return value == .null ? .map([]) : value
    }

    static func list(_ value: ManifestValue, _ function: String) throws(GoFunctionError) -> [ManifestValue] {
        switch value {
        case .list(let items): return items
        case .null: return []
        default: throw GoFunctionError("wants a list, got \(GoFormat.typeName(value))")
        }
    }

    static func contains(_ text: String, _ part: String) throws(GoFunctionError) -> Bool {
        part.isEmpty || text.contains(part)
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Maps with their keys sorted, at every level: what Go's `encoding/json` writes.
    static func sortedKeys(_ value: ManifestValue) -> ManifestValue {
        switch value {
        case .map(let entries): .map(entries.sorted { $0.0 < $1.0 }.map { ($0.0, sortedKeys($0.1)) })
        case .list(let items): .list(items.map(sortedKeys))
        default: value
        }
    }

    /// Go's `index`: a map by key (a missing key gives no value), a list or string by position.
    static func index(_ value: ManifestValue, _ key: ManifestValue) throws(GoFunctionError) -> ManifestValue {
        switch value {
        case .map(let entries):
            let name = try string(key)
            return entries.first { $0.0 == name }?.1 ?? .null
        case .list(let items):
            let position = try int(key)
            guard items.indices.contains(position) else { throw GoFunctionError("index out of range: \(position)") }
            return items[position]
        case .string(let text):
            let bytes = Array(text.utf8)
            let position = try int(key)
            guard bytes.indices.contains(position) else { throw GoFunctionError("index out of range: \(position)") }
            return .int(Int(bytes[position]))
        case .null: throw GoFunctionError("index of untyped nil")
        default: throw GoFunctionError("can't index item of type \(GoFormat.typeName(value))")
        }
    }

    static func isOrdered(_ value: ManifestValue) -> Bool {
        switch value {
        case .int, .double, .string: true
        default: false
        }
    }

    /// Go's `eq` rules: values of the same basic kind compare (ints and floats as numbers); no value equals
    /// only no value; lists and maps do not compare.
    static func compare(_ lhs: ManifestValue, _ rhs: ManifestValue) throws(GoFunctionError) -> ComparisonResult {
        func order<T: Comparable>(_ a: T, _ b: T) -> ComparisonResult { a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame }
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return order(a, b)
        case (.int(let a), .double(let b)): return order(Double(a), b)
        case (.double(let a), .int(let b)): return order(a, Double(b))
        case (.double(let a), .double(let b)): return order(a, b)
        case (.string(let a), .string(let b)): return order(a, b)
        case (.bool(let a), .bool(let b)): return a == b ? .orderedSame : .orderedAscending
        case (.null, .null): return .orderedSame
        case (.null, _), (_, .null): return .orderedAscending
        case (.list, _), (.map, _), (_, .list), (_, .map):
            throw GoFunctionError("non-comparable type \(GoFormat.typeName(lhs.entries != nil || lhs.items != nil ? lhs : rhs))")
        default:
            throw GoFunctionError("incompatible types for comparison: \(GoFormat.typeName(lhs)) and \(GoFormat.typeName(rhs))")
        }
    }
}
