/// "Did you mean …?" for unknown field names: the closest known name by edit distance, when it is
/// close enough to be a likely typo (`imgae` → `image`, `dependOn` → `dependsOn`).
enum Suggestion {
    static func closest(to word: String, among candidates: [String]) -> String? {
        // Field names are short; a huge key from a hostile file gets no suggestion rather than a slow one.
        guard word.utf8.count <= 64 else { return nil }
        let limit = max(1, min(3, word.count / 3))
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(word.lowercased(), candidate.lowercased())
            if distance <= limit, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Fields other tools (the original innominatus, docker-compose habits) write where a Score or spec
    /// file has another: the unknown name, the field meant when the map knows it, and why.
    /// `meant` nil: the field has no equivalent in the map that `context` (one of its known fields) names.
    static let foreign: [(word: String, context: String, meant: String?, why: String)] = [
        ("env", "variables", "variables", "a Score container's environment variables are 'variables'"),
        ("properties", "params", "params", "a Score resource's settings are 'params'"),
        ("environment", "containers", nil, "a Score file does not choose where it is deployed: remove it (the admin config's "
            + "workflowPolicies.delivery names the environment branch; environment values are resources of type environment)"),
        ("workflowOverrides", "allowedProductWorkflows", nil, "it is the original innominatus's; tiers never override each other "
            + "here (every tier's workflows run, platform → product → application): remove it, or convert the repository with "
            + "innominatus migrate"),
        ("security", "allowedProductWorkflows", nil, "it is the original innominatus's; approval here is review of this file "
            + "(allowedProductWorkflows, pinned by innominatus approve) and steps see only what their env declares: remove it, "
            + "or convert the repository with innominatus migrate"),
    ]

    /// The sentence appended to an unknown-field message.
    static func hint(for word: String, among candidates: [String]) -> String {
        if let known = foreign.first(where: { $0.word == word && candidates.contains($0.context) }) {
            guard let meant = known.meant else { return " Not a field here: \(known.why)." }
            return " Did you mean '\(meant)'? (\(known.why))"
        }
        if let match = closest(to: word, among: candidates) {
            return " Did you mean '\(match)'?"
        }
        let listed = candidates.sorted().joined(separator: ", ")
        return listed.isEmpty ? "" : " Known fields: \(listed)."
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.unicodeScalars)
        let b = Array(rhs.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
