import Foundation

/// A step's `if:` after its placeholders are resolved: `A == B`, `A != B`, or a single value that is true
/// unless it is empty, `false`, `0` or `no`. Operands may be quoted ('…' or "…").
///
/// Deliberately small: conditions compare context values (`${app.product} == ecommerce`); anything
/// richer belongs in a step's script.
enum StepCondition {
    static func evaluate(_ resolved: String) throws(ExecutorError) -> Bool {
        for (symbol, equal) in [("!=", false), ("==", true)] {
            let pieces = resolved.components(separatedBy: symbol)
            guard pieces.count > 1 else { continue }
            guard pieces.count == 2 else {
                throw ExecutorError(.invalidStep, "if: '\(resolved)' has more than one '\(symbol)'; compare two values")
            }
            return (operand(pieces[0]) == operand(pieces[1])) == equal
        }
        let value = operand(resolved)
        return !["", "false", "0", "no"].contains(value.lowercased())
    }

    private static func operand(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for quote in ["'", "\""] where trimmed.count >= 2 && trimmed.hasPrefix(quote) && trimmed.hasSuffix(quote) {
            return String(trimmed.dropFirst().dropLast())
        }
        return trimmed
    }
}
