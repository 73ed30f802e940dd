/// Validates one spec file from its bytes and its path — never from the file system, because the
/// reconciler hands it blob contents read from git. `source:` paths in Score files are never opened.
public struct SpecValidator: Sendable {
    public var limits: SpecLimits

    public init(limits: SpecLimits = .default) {
        self.limits = limits
    }

    /// - Parameter kind: what the file must be (known from its location in a platform repository), or
    ///   nil to detect it from the content, as `innominatus validate FILE` does.
    public func validate(_ bytes: [UInt8], path: String, as kind: SpecKind? = nil) -> SpecFileReport {
        let read = YAMLReader(limits: limits).read(bytes, file: path)
        var report = SpecFileReport(path: path, kind: kind ?? .unknown, diagnostics: read.diagnostics)
        if read.documents.isEmpty {
            if read.diagnostics.isEmpty {
                report.addError(at: .root, node: nil, "the file is empty; a spec file holds one YAML document")
            }
            return report
        }
        if read.documents.count > 1 {
            report.addError(at: .root, node: read.documents[1],
                            "the file holds \(read.documents.count) YAML documents; a spec file holds exactly one, "
                                + "so remove the extra '---' sections")
            return report
        }
        let root = read.documents[0]
        report.root = root
        if let kindNode = root["kind"], kindNode.string == "WorkflowPolicies", kind != .score {
            // The original innominatus's policy document: one error saying what it is, not a cascade of
            // unknown workflow fields, and never read as an empty file (docs/ARCHITECTURE.md §17).
            report.kind = .adminConfig
            report.addError(at: "kind", node: kindNode,
                            "WorkflowPolicies is the original innominatus's policy document and is not read here; the policies "
                                + "are the workflowPolicies block of \(AdminConfig.defaultPath). Run `innominatus migrate SRC --output DST` "
                                + "to convert the repository, or move its spec into workflowPolicies by hand")
            return report
        }
        let detected = kind ?? SpecKind.detect(root)
        report.kind = detected
        var checker: SpecChecker
        switch detected {
        case .score:
            var decoder = ScoreDecoder(file: path)
            let workload = decoder.decode(root)
            checker = decoder.checker
            if let workload {
                var semantics = ScoreSemantics(checker: checker, root: root, workload: workload)
                semantics.check()
                checker = semantics.checker
                report.document = .score(workload)
            }
        case .workflow:
            var decoder = WorkflowDecoder(file: path)
            let workflow = decoder.decode(root)
            checker = decoder.checker
            report.document = workflow.map { .workflow($0) }
        case .adminConfig:
            var decoder = AdminConfigDecoder(file: path)
            let config = decoder.decode(root)
            checker = decoder.checker
            report.document = config.map { .adminConfig($0) }
        case .provisioners:
            // Only its YAML is checked here: the definitions are the Provisioning module's (ProvisionerLoader.check).
            checker = SpecChecker(file: path)
        case .unknown:
            checker = SpecChecker(file: path)
            checker.error(root.location, .root,
                          "cannot tell what this file is: a Score file has 'apiVersion: score.dev/v1b1', a workflow has "
                            + "'kind: PlatformWorkflow', 'ProductWorkflow' or 'Workflow', an admin config has 'workflowPolicies'")
        }
        for diagnostic in checker.diagnostics { report.add(diagnostic) }
        if !read.diagnostics.isEmpty { report.document = read.diagnostics.contains { $0.severity == .error } ? nil : report.document }
        report.sortDiagnostics()
        return report
    }
}
