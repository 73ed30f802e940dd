/// A duration as spec files write it: `500ms`, `90s`, `10m`, `1h` — one number, one unit.
///
/// Kept in milliseconds so the executor and the planner need no parsing and no Foundation.
public struct SpecDuration: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var milliseconds: Int

    public init(milliseconds: Int) {
        self.milliseconds = milliseconds
    }

    /// Parses `<digits><unit>` with unit `ms`, `s`, `m` or `h`; nil for anything else (including `0s`).
    public init?(parsing text: String) {
        let units: [(suffix: String, factor: Int)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for unit in units where text.hasSuffix(unit.suffix) {
            let digits = text.dropLast(unit.suffix.count)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 9,
                  let value = Int(digits), value > 0 else { return nil }
            self.milliseconds = value * unit.factor
            return
        }
        return nil
    }

    public var duration: Duration { .milliseconds(milliseconds) }

    /// The one way every message, note and JSON document prints a duration (docs/ARCHITECTURE.md §15): the form
    /// spec files write, so what a user reads can be pasted back — `30s`, `1m`, `1500ms`, `0ms`.
    public var description: String {
        if milliseconds <= 0 { return "\(milliseconds)ms" }
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }

    public static func < (lhs: SpecDuration, rhs: SpecDuration) -> Bool { lhs.milliseconds < rhs.milliseconds }

    static let rule = "write a duration as a positive number and one unit: 500ms, 90s, 10m or 1h"
}

extension Duration {
    /// A `Duration` in messages: `SpecDuration.description` of its whole milliseconds (rounded down).
    public var brief: String {
        let (seconds, attoseconds) = components
        return SpecDuration(milliseconds: Int(seconds * 1000 + attoseconds / 1_000_000_000_000_000)).description
    }
}

extension SpecChecker {
    mutating func duration(_ node: YAMLNode, at path: FieldPath) -> SpecDuration? {
        guard let text = string(node, at: path) else { return nil }
        guard let duration = SpecDuration(parsing: text) else {
            error(node.location, path, "'\(text)' is not a duration; \(SpecDuration.rule)")
            return nil
        }
        return duration
    }
}
