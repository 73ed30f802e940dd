/// The repository paths a shell step's `run:` script names (`./scripts/deploy.sh`, `sh tools/check.sh`,
/// `--values=k8s/values.yaml`): what the step runs or reads besides its workflow file, which should be in
/// the workflow's `spec.inputs` so that an edit re-runs it and breaks its approval pin. A heuristic over
/// words, for warnings only: quotes, `=` and shell punctuation separate words, comments are skipped, and a
/// word with a variable, a glob, a URL or an absolute path is not taken for a repository path.
public enum ScriptPaths {
    public struct Named: Sendable, Hashable {
        /// Normalized (`./scripts/x.sh` → `scripts/x.sh`).
        public var path: String
        /// Written with a leading `./`: certainly a path relative to the checkout's root (the step's
        /// working directory). Without it (`tools/check.sh`) it is taken for one only where such a file exists.
        public var explicit: Bool
    }

    public static func named(in script: String) -> [Named] {
        var found: [Named] = []
        var seen: Set<String> = []
        let separators: Set<Character> = [" ", "\t", ";", "|", "&", "(", ")", "<", ">", "`", "'", "\"", "=", ",", "{", "}"]
        for line in script.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            for word in line.split(whereSeparator: separators.contains) {
                if word.hasPrefix("#") { break }
                guard let named = classify(String(word)), seen.insert(named.path).inserted else { continue }
                found.append(named)
            }
        }
        return found
    }

    static func classify(_ word: String) -> Named? {
        var text = word
        // Prose punctuation after a path ("see docs/run.md.") is not part of it.
        while text.hasSuffix(":") || (text.hasSuffix(".") && !text.hasSuffix("/.")) { text.removeLast() }
        let explicit = text.hasPrefix("./")
        if explicit { text.removeFirst(2) }
        let allowed = text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-/+@".unicodeScalars.contains($0)
        }
        guard allowed, !text.isEmpty, !text.hasPrefix("/"), !text.hasPrefix("-") else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.isEmpty, !parts.contains(".."), explicit || parts.count >= 2 else { return nil }
        let path = RepositoryPath.normalized(text)
        return path.isEmpty ? nil : Named(path: path, explicit: explicit)
    }
}
