import Foundation

/// Names Kubernetes accepts, derived from Score names.
enum KubernetesName {
    /// Lowercase letters, digits and '-', starting and ending alphanumeric, at most 63 characters.
    static func dns1123(_ text: String) -> String {
        var out = String(text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        while out.contains("--") { out = out.replacingOccurrences(of: "--", with: "-") }
        out = String(out.prefix(63))
        while out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "x" : out
    }

    /// A Secret or ConfigMap key: letters, digits, '-', '_' and '.'.
    static func dataKey(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
    }
}
