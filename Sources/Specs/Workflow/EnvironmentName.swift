/// Environment variable names as POSIX shells accept them.
enum EnvironmentName {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        return name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }

    static func rule(_ name: String) -> String {
        "'\(name)' is not a valid environment variable name; use letters, digits and '_', not starting with a digit"
    }
}
