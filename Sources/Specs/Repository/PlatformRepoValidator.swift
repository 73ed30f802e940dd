import Foundation

/// Validates a platform repository as a whole: each file by `SpecValidator`, with its kind fixed by
/// where it lies, then the rules that span files — identity (docs/ARCHITECTURE.md §1), the product-workflow
/// allow-list, required platform workflows, step types and limits from the admin config.
///
/// It works on `RepoFile` values so the reconciler can feed it git blobs; `validate(directory:)` is the
/// front end for `innominatus validate DIR`.
public struct PlatformRepoValidator: Sendable {
    public var limits: SpecLimits

    public init(limits: SpecLimits = .default) {
        self.limits = limits
    }

    /// - Parameter tree: every file of the repository (scripts too), for what workflows' `inputs` name; when
    ///   nil, only `files` are known.
    public func validate(files: [RepoFile], tree: RepoTree? = nil) -> PlatformRepoReport {
        let validator = SpecValidator(limits: limits)
        var reports: [SpecFileReport] = []
        var config = AdminConfig.default
        var adminIndex: Int?
        let admin = files.first(where: { AdminConfig.repositoryPaths.contains($0.path) })
        if let admin {
            let report = validator.validate(admin.bytes, path: admin.path, as: .adminConfig)
            if let parsed = report.adminConfig { config = parsed }
            adminIndex = reports.count
            reports.append(report)
        }
        var located: [(report: Int, location: RepoLocation, bytes: [UInt8])] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            let location = RepoLocation.of(file.path, config: config)
            // Provisioner definitions are not specs: the Provisioning module checks them (ProvisionerLoader.check).
            if location == .adminConfig || location == .provisioners { continue }
            var report: SpecFileReport
            if let kind = location.expectedKind {
                report = validator.validate(file.bytes, path: file.path, as: kind)
            } else {
                // Elsewhere only files that look like specs matter; other YAML (CI, docs) is not ours.
                report = validator.validate(file.bytes, path: file.path)
                if report.kind == .unknown { continue }
            }
            located.append((reports.count, location, file.bytes))
            reports.append(report)
        }
        var rules = RepoRules(config: config, tree: tree ?? RepoTree(files: files),
                              configPath: admin?.path ?? AdminConfig.defaultPath)
        rules.configIsInvalid = adminIndex.map { !reports[$0].isValid } ?? false
        for entry in located {
            rules.checkIdentity(&reports[entry.report], location: entry.location, bytes: entry.bytes)
            rules.checkPolicy(&reports[entry.report], location: entry.location)
            rules.checkInputs(&reports[entry.report], location: entry.location)
        }
        if let adminIndex { rules.checkAdminConfig(&reports[adminIndex]) }
        // An app's own workflows run only for an app, i.e. a folder with a Score file.
        let apps = Set(located.compactMap { entry -> String? in
            if case .score(let app) = entry.location { return app }
            return nil
        })
        for entry in located {
            guard case .appWorkflow(let app, _) = entry.location, !apps.contains(app) else { continue }
            reports[entry.report].addWarning(
                at: .root, node: nil,
                "\(config.appsRoot)/\(app) has no score.yaml, so this workflow never runs; add the Score file or move the workflow")
        }
        for index in reports.indices { reports[index].sortDiagnostics() }
        return PlatformRepoReport(files: reports, adminConfig: config)
    }

    /// Reads every YAML file under `directory` (skipping hidden folders such as `.git` and never
    /// following symbolic links) and validates them as one platform repository; the other files (scripts)
    /// are known by path, and hashed only when a workflow's inputs name them. Report paths are
    /// `directory` joined with each file's path in the repository.
    public func validate(directory: String) throws -> PlatformRepoReport {
        let tree = try RepoTree.checkout(at: directory)
        let root = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL.path
        var files: [RepoFile] = []
        var oversized: [SpecFileReport] = []
        for (relative, kind) in tree.files.sorted(by: { $0.key < $1.key }) {
            guard case .file(let size) = kind, relative.hasSuffix(".yaml") || relative.hasSuffix(".yml"),
                  !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { continue }
            if size > limits.maxFileBytes {
                // Never read a file that the size limit rejects anyway.
                let message = "the file is \(size) bytes, more than the limit of \(limits.maxFileBytes) bytes for a spec file"
                oversized.append(SpecFileReport(
                    path: relative, kind: .unknown,
                    diagnostics: [SpecDiagnostic(file: relative, at: .start, field: "", message: message)]))
                continue
            }
            guard let data = FileManager.default.contents(atPath: root + "/" + relative) else { continue }
            files.append(RepoFile(path: relative, bytes: Array(data)))
        }
        var report = validate(files: files, tree: tree)
        report.files += oversized
        let display = directory.hasSuffix("/") ? directory : directory + "/"
        for index in report.files.indices {
            let shown = display == "./" ? report.files[index].path : display + report.files[index].path
            report.files[index].path = shown
            for diagnostic in report.files[index].diagnostics.indices {
                report.files[index].diagnostics[diagnostic].file = shown
            }
        }
        report.files.sort { $0.path < $1.path }
        return report
    }
}
