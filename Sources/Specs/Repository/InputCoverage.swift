/// The warning that a shell step runs or reads a repository file its workflow's `spec.inputs` do not
/// name: an edit to that file would change what the step does without changing the workflow's
/// fingerprint (nothing re-runs) or its approval pin (a product workflow's reviewed approval would cover
/// code nobody reviewed). A warning, not an error: the heuristic reads shell words (`ScriptPaths`).
enum InputCoverage {
    /// - Parameter tree: the repository's files; a path written without `./` is taken for a repository path
    ///   only when it is one of them (or a folder of them).
    static func check(_ report: inout SpecFileReport, tree: RepoTree) {
        guard report.kind == .workflow, let root = report.root, let steps = root["spec"]?["steps"]?.items else { return }
        let patterns = (root["spec"]?["inputs"]?.items ?? []).compactMap(\.string).map(InputPattern.init)
        for (index, step) in steps.enumerated() {
            guard let node = step["run"], let script = node.string else { continue }
            for named in ScriptPaths.named(in: script) where !covered(named.path, by: patterns, in: tree) {
                let isFile = tree.contains(named.path)
                guard named.explicit || isFile || tree.isFolder(named.path) else { continue }
                let written = named.explicit ? "./" + named.path : named.path
                report.addWarning(at: FieldPath("spec.steps").appending(index: index) / "run", node: node,
                                  "the step names \(written), which spec.inputs does not cover: an edit to it would change "
                                      + "what the step does without re-running it or breaking an approval pin of this "
                                      + "workflow; add \(named.path) to spec.inputs")
            }
        }
    }

    /// A file is covered when some pattern names it; a folder when every file under it is.
    static func covered(_ path: String, by patterns: [InputPattern], in tree: RepoTree) -> Bool {
        if patterns.contains(where: { $0.covers(path) }) { return true }
        guard tree.isFolder(path) else { return false }
        let folder = path + "/"
        let under = tree.files.keys.filter { $0.hasPrefix(folder) }
        return !under.isEmpty && under.allSatisfy { file in patterns.contains { $0.covers(file) } }
    }
}
