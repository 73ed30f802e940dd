/// The string patterns of the Score v1b1 schema, as hand-written matchers over ASCII bytes.
///
/// Each mirrors one `pattern` (plus its min/max length) of `score-v1b1.json` exactly; matching by hand
/// keeps validating a thousand files well under a second where a regex engine per scalar would not.
enum ScorePatterns {
    private static func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
    private static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isLowerAlnum(_ byte: UInt8) -> Bool { isLower(byte) || isDigit(byte) }
    private static func isAlnum(_ byte: UInt8) -> Bool { isLower(byte) || isUpper(byte) || isDigit(byte) }

    /// RFC 1123 label: `^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$`, 2–63 characters (workload, container,
    /// resource and port names).
    static func isLabel(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return isLabel(bytes[...])
    }

    private static func isLabel(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 2, bytes.count <= 63, let first = bytes.first, let last = bytes.last,
              isLowerAlnum(first), isLowerAlnum(last) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == 0x2D }
    }

    /// DNS label of one character or more (product names): like `isLabel` but a single character is fine.
    static func isDNSLabel(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        if bytes.count == 1 { return isLowerAlnum(bytes[0]) }
        return isLabel(bytes[...])
    }

    /// Annotation keys: an optional `host.name/` prefix of RFC 1123 labels, then
    /// `[A-Za-z0-9][A-Za-z0-9._-]{0,61}[A-Za-z0-9]`; 2–316 characters in all.
    static func isAnnotationKey(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.count <= 316 else { return false }
        var name = bytes[...]
        if let slash = bytes.firstIndex(of: 0x2F) {
            let prefix = bytes[..<slash]
            let labels = prefix.split(separator: 0x2E, omittingEmptySubsequences: false)
            guard labels.allSatisfy({ isLabel($0) }) else { return false }
            name = bytes[(slash + 1)...]
        }
        guard name.count >= 2, name.count <= 63, let first = name.first, let last = name.last,
              isAlnum(first), isAlnum(last) else { return false }
        return name.allSatisfy { isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// Resource type and class: `^[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$`.
    static func isResourceType(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.count <= 63, let first = bytes.first, let last = bytes.last,
              isAlnum(first), isAlnum(last) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == 0x2D }
    }

    /// Resource id: dot-separated labels of `[a-z0-9]+(-+[a-z0-9]+)*`, 2–63 characters.
    static func isResourceID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.count <= 63 else { return false }
        return bytes.split(separator: 0x2E, omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            return isLowerAlnum(first) && isLowerAlnum(last) && label.allSatisfy { isLowerAlnum($0) || $0 == 0x2D }
        }
    }

    /// Memory quantity: `^(0\.\d+|[1-9]\d*(\.\d+)?)(K|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$`.
    static func isMemory(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.last == 0x69 { bytes = bytes.dropLast() } // "i"
        if let last = bytes.last, "KMGTPE".utf8.contains(last) {
            bytes = bytes.dropLast()
        } else if text.hasSuffix("i") {
            return false
        }
        guard let first = bytes.first else { return false }
        let parts = bytes.split(separator: 0x2E, maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isDigit) }) else { return false }
        if first == 0x30 {
            // "0.5" is fine, "0", "0Gi" and "05" are not.
            return parts.count == 2 && parts[0].count == 1
        }
        return true
    }

    /// CPU quantity: `^\d+(?:m|\.\d+)?$`.
    static func isCPU(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.last == 0x6D { bytes = bytes.dropLast() } // "m"
        let parts = bytes.split(separator: 0x2E, maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, text.hasSuffix("m") { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(isDigit) }
    }

    /// File mode in octal: `^0?[0-7]{3}$`.
    static func isFileMode(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let digits = bytes.count == 4 && bytes[0] == 0x30 ? bytes.dropFirst() : bytes[...]
        return digits.count == 3 && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x37 }
    }

    /// HTTP header name: `^[A-Za-z0-9_-]+$`.
    static func isHeaderName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { isAlnum($0) || $0 == 0x5F || $0 == 0x2D }
    }

    /// Environment variable name in `variables`: `^[^=]+$`.
    static func isVariableName(_ text: String) -> Bool {
        !text.isEmpty && !text.contains("=")
    }
}
