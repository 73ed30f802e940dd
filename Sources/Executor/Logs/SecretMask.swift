import Foundation

/// Replaces secret values with `***` in captured text, outputs and results (docs/ARCHITECTURE.md §10).
///
/// Best effort: it catches a secret written as is (also inside a longer line), not one a step encodes
/// (base64, hex, split across writes longer than a line).
struct SecretMask: Sendable, Hashable {
    static let replacement = "***"

    /// Longest first, so a secret containing another is masked whole.
    private(set) var secrets: [String]

    init(_ secrets: some Sequence<String>) {
        // Very short values would mask half the log and tell an observer more than they hide.
        self.secrets = Set(secrets.filter { $0.utf8.count >= 3 }).sorted { $0.utf8.count > $1.utf8.count }
    }

    var isEmpty: Bool { secrets.isEmpty }

    func adding(_ more: some Sequence<String>) -> SecretMask { SecretMask(secrets + Array(more)) }

    func mask(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.replacement)
        }
        return result
    }

    func mask(_ values: [String: String]) -> [String: String] { values.mapValues(mask) }
}
