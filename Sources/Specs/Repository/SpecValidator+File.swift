import Foundation

extension SpecValidator {
    /// Why a path given to `innominatus validate` could not be read at all (a usage problem, not a
    /// finding about a spec).
    public struct UnreadableFile: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var description: String { "cannot read \(path)" }
    }

    /// Validates the file at `path`, detecting its kind from its content. The size limit is checked
    /// before the file is read, so a 50 MB file costs nothing.
    public func validate(fileAt path: String) throws(UnreadableFile) -> SpecFileReport {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = (attributes?[.size] as? NSNumber)?.intValue, size > limits.maxFileBytes {
            let message = "the file is \(size) bytes, more than the limit of \(limits.maxFileBytes) bytes for a spec "
                + "file; split it or remove what does not belong in it"
            return SpecFileReport(path: path, kind: .unknown,
                                  diagnostics: [SpecDiagnostic(file: path, at: .start, field: "", message: message)])
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw UnreadableFile(path: path) }
        return validate(Array(data), path: path)
    }

    /// What `innominatus validate FILE` reports: `validate(fileAt:)`, and, for a workflow that lies outside
    /// any platform repository (no `RepositoryRoot` above it), a warning at each step type that is not built
    /// in: only a repository's admin config registers plugin types (`stepTypes`), so here nobody can tell
    /// whether the type exists. A warning, not an error: the file may be valid where it will be used.
    /// A workflow also gets a warning at each shell step that names a repository file its `inputs` do not
    /// cover (`InputCoverage`), the repository being the one it lies in.
    public func validate(standaloneFileAt path: String) throws(UnreadableFile) -> SpecFileReport {
        var report = try validate(fileAt: path)
        guard report.kind == .workflow else { return report }
        let root = RepositoryRoot.enclosing(file: path)
        let tree = root.flatMap { try? RepoTree.checkout(at: $0) } ?? RepoTree(files: [])
        InputCoverage.check(&report, tree: tree)
        report.sortDiagnostics()
        guard root == nil, let steps = report.root?["spec"]?["steps"]?.items else { return report }
        let builtIn = WorkflowStep.StepType.builtInNames
        for (index, step) in steps.enumerated() {
            guard let node = step["type"], let type = node.string, !builtIn.contains(type) else { continue }
            report.addWarning(at: FieldPath("spec.steps").appending(index: index) / "type", node: node,
                              "the step type '\(type)' is not built in (\(builtIn.joined(separator: ", "))), and this file "
                                + "lies outside any platform repository, so whether an admin config registers it under "
                                + "stepTypes cannot be known here; validate the file inside the repository that runs it")
        }
        report.sortDiagnostics()
        return report
    }
}
