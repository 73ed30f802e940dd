import Provisioning
import Specs

/// `innominatus migrate`: a folder laid out as the original innominatus repository → a platform repo in
/// this project's layout, as values (docs/ARCHITECTURE.md §17). Pure: no file is read or written here
/// (`MigrationSource.read`, `MigrationResult.write` do that), so every rule is tested with values.
public struct Migrator: Sendable {
    public var limits: SpecLimits

    public init(limits: SpecLimits = .default) {
        self.limits = limits
    }

    /// What the source folder holds, file by file.
    enum Spec {
        case score(YAMLNode)
        case workflow(YAMLNode)
        case policies(YAMLNode)
        case ignored
        case unreadable([SpecDiagnostic])
    }

    static let workflowKinds: Set<String> = ["PlatformWorkflow", "ProductWorkflow", "Workflow"]

    func classify(_ file: RepoFile) -> Spec {
        let read = YAMLReader(limits: limits).read(file.bytes, file: file.path)
        let errors = read.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else {
            // Only files that look like specs of the original matter; other unreadable YAML is not ours.
            let text = String(decoding: file.bytes.prefix(4096), as: UTF8.self)
            let looksLikeSpec = text.contains("score.dev/") || text.contains("workflow.dev/") || text.contains("workflowPolicies")
                || text.contains("WorkflowPolicies")
            return looksLikeSpec ? .unreadable(errors) : .ignored
        }
        guard read.documents.count == 1, let root = read.documents.first, root.entries != nil else { return .ignored }
        if root["apiVersion"]?.string?.hasPrefix("score.dev/") == true { return .score(root) }
        if let kind = root["kind"]?.string {
            if Self.workflowKinds.contains(kind), root["spec"]?["steps"] != nil { return .workflow(root) }
            if kind == "WorkflowPolicies" { return .policies(root) }
            return .ignored
        }
        if root["workflowPolicies"]?.entries != nil { return .policies(root) }
        // A bare `steps:` list in the workflows folder: a workflow of the original with no header.
        if root["apiVersion"] == nil, root["steps"]?.items != nil, file.path.hasPrefix("workflows/") { return .workflow(root) }
        return .ignored
    }

    public func migrate(_ source: MigrationSource) -> MigrationResult {
        var report = MigrationReport()
        var scores: [(file: String, root: YAMLNode)] = []
        var workflows: [(file: String, root: YAMLNode)] = []
        var policySources: [AdminConfigMigration.Source] = []
        for file in source.yamlFiles {
            switch classify(file) {
            case .score(let root): scores.append((file.path, root))
            case .workflow(let root): workflows.append((file.path, root))
            case .policies(let root): policySources.append(.init(file: file.path, root: root))
            case .ignored: report.ignored.append(file.path)
            case .unreadable(let errors):
                report.files.append(.init(source: file.path, destination: nil, summary: "Not migrated: the file does not parse.",
                                          changes: errors.map { .init(.manual, at: "\($0.file):\($0.line):\($0.column)", "fix: \($0.message)") }))
            }
        }

        // The policy source: admin-config.yaml at the root, else the shortest-path admin config, else a WorkflowPolicies document.
        let ranked = policySources.sorted { rank($0) < rank($1) }
        let chosen = ranked.first
        let adminValues = chosen?.adminValues ?? [:]

        // Workflows written inline in a Score file become that app's own workflows.
        var inline: [(file: String, root: YAMLNode, app: String)] = []
        for (file, root) in scores {
            guard let app = root["metadata"]?["name"]?.string, let entries = root["workflows"]?.entries else { continue }
            for entry in entries where entry.value.entries != nil {
                var spec = entry.value.entries!
                if spec.first(where: { $0.key == "variables" }) == nil, let variables = root.entries?.first(where: { $0.key == "variables" }) {
                    spec.append(variables)
                }
                let metadata = YAMLNode(.mapping([.init(key: "name", keyLocation: entry.keyLocation, value: YAMLNode(.string(entry.key), at: entry.keyLocation, text: entry.key))]), at: entry.keyLocation)
                let synthetic = YAMLNode(.mapping([
                    .init(key: "apiVersion", keyLocation: entry.keyLocation, value: YAMLNode(.string("workflow.dev/v1"), at: entry.keyLocation)),
                    .init(key: "kind", keyLocation: entry.keyLocation, value: YAMLNode(.string("Workflow"), at: entry.keyLocation)),
                    .init(key: "metadata", keyLocation: entry.keyLocation, value: metadata),
                    .init(key: "spec", keyLocation: entry.keyLocation, value: YAMLNode(.mapping(spec), at: entry.value.location)),
                ]), at: entry.keyLocation)
                inline.append((file, synthetic, app))
            }
        }

        // Workflows, non-archived first so that an archived copy of the same workflow loses.
        var files: [MigrationResult.File] = []
        var migrated: [WorkflowMigration.Result] = []
        var inputs: [String] = []
        let ordered = workflows.sorted { ($0.file.contains("/archive/") ? 1 : 0, $0.file) < ($1.file.contains("/archive/") ? 1 : 0, $1.file) }
        var workflowEntries: [MigrationReport.FileEntry] = []
        let all: [(file: String, root: YAMLNode, app: String?)] = ordered.map { ($0.file, $0.root, nil) } + inline.map { ($0.file, $0.root, $0.app) }
        for (file, root, app) in all {
            var changes: [MigrationReport.Change] = []
            let migration = WorkflowMigration(file: file, source: source, adminValues: adminValues, app: app)
            guard let result = migration.migrate(root, changes: &changes) else {
                workflowEntries.append(.init(source: file, destination: nil, summary: "Not migrated.", changes: changes))
                continue
            }
            if let earlier = migrated.first(where: { $0.destination == result.destination }) {
                changes.append(.init(.dropped, at: file, "the same workflow as \(earlier.destination), migrated from another file; this copy is not migrated"))
                workflowEntries.append(.init(source: file, destination: nil, summary: "Not migrated: a duplicate.", changes: changes))
                continue
            }
            migrated.append(result)
            files.append(.init(path: result.destination, content: .text(YAMLEmitter.emit(result.workflow))))
            inputs += result.inputs
            let steps = result.stepTypes.count
            let summary = switch result.tier {
            case .platform: "Platform workflow '\(result.name)', \(steps) steps in order."
            case .product: "Product workflow '\(result.product!)/\(result.name)', \(steps) steps in order."
            case .application where app != nil: "The app \(app!)'s own workflow '\(result.name)' (written inline in its Score file), \(steps) steps in order."
            case .application: "Golden path '\(result.name)' (an application-tier workflow, triggers: [manual]), \(steps) steps in order."
            }
            if result.tier == .application && app == nil {
                changes.append(.init(.manual, at: file, "a golden path belongs to apps: copy \(result.destination) into apps/APP/workflows/\(result.name).yaml for each app that uses it, then run it with innominatus trigger --repo URL APP \(result.name)"))
            }
            workflowEntries.append(.init(source: app == nil ? file : "\(file) (workflows.\(result.name))", destination: result.destination,
                                         summary: summary, changes: changes))
        }

        // ${environment.type}: each Score's environment.type, with a default from the admin config's environments.
        let usesEnvironment = workflowEntries.contains { $0.changes.contains { $0.message.hasPrefix("${environment.type} →") } }
        let defaultEnvironment: String? = usesEnvironment
            ? (chosen?.root["policies"]?["allowedEnvironments"]?.items?.first?.string ?? "development") : nil

        // Score files: one app per metadata.name.
        var apps: [String: String] = [:]
        for (file, root) in scores {
            var changes: [MigrationReport.Change] = []
            let migration = ScoreMigration(file: file, defaultEnvironment: defaultEnvironment)
            guard let (name, score) = migration.migrate(root, changes: &changes) else {
                report.files.append(.init(source: file, destination: nil, summary: "Not migrated.", changes: changes))
                continue
            }
            if let earlier = apps[name] {
                changes = [.init(.manual, at: "\(file):\(root["metadata"]!["name"]!.location)", "metadata.name '\(name)' is also the name of \(earlier), migrated as apps/\(name); this file is not migrated: give it its own name to keep it")]
                report.files.append(.init(source: file, destination: nil, summary: "Not migrated: another Score file has its name.", changes: changes))
                continue
            }
            apps[name] = file
            let destination = "apps/\(name)/score.yaml"
            files.append(.init(path: destination, content: .text(YAMLEmitter.emit(score))))
            let product = root["metadata"]?["product"]?.string
            report.files.append(.init(source: file, destination: destination,
                                      summary: "App '\(name)'" + (product.map { " of the product \($0)" } ?? "") + ".", changes: changes))
        }
        report.files += workflowEntries
        checkMetadata(apps: files.filter { $0.path.hasPrefix("apps/") && $0.path.hasSuffix("/score.yaml") }, workflows: migrated, report: &report)

        // The admin config.
        var adminChanges: [MigrationReport.Change] = []
        let admin = AdminConfigMigration(chosen: chosen, others: Array(ranked.dropFirst()))
        let policies = admin.migrate(.init(workflows: migrated, defaultEnvironment: defaultEnvironment), changes: &adminChanges)
        files.append(.init(path: AdminConfig.defaultPath, content: .text(AdminConfigMigration.header + YAMLEmitter.emit(policies))))
        if let chosen {
            report.files.append(.init(source: chosen.file, destination: AdminConfig.defaultPath,
                                      summary: chosen.isWorkflowPoliciesDocument ? "The WorkflowPolicies document, as the admin config." : "The admin config.",
                                      changes: adminChanges.filter { change in
                                          !ranked.dropFirst().contains { change.location == $0.file || change.location.hasPrefix($0.file + ":") }
                                      }))
            for other in ranked.dropFirst() {
                report.files.append(.init(source: other.file, destination: nil, summary: "Not migrated: \(chosen.file) is the admin config used.",
                                          changes: adminChanges.filter { $0.location == other.file || $0.location.hasPrefix(other.file + ":") }))
            }
        } else {
            report.files.append(.init(source: "(no admin config)", destination: AdminConfig.defaultPath, summary: "Written with defaults.", changes: adminChanges))
        }

        // Plugins and the files steps name.
        let pluginTypes = migrated.flatMap(\.pluginTypes)
        for plugin in PluginPrograms.files(for: pluginTypes) {
            files.append(.init(path: plugin.path, content: .text(plugin.text), executable: true))
            let type = String(plugin.path.split(separator: "/").last!)
            report.generated.append((plugin.path, type == "unported-step"
                ? "the plugin of the step types with no working equivalent (\(Set(pluginTypes.filter { StepTypeCatalogue.tools[$0] == nil }).sorted().joined(separator: ", "))): it fails, saying what to configure"
                : "the \(type) plugin: \(StepTypeCatalogue.tools[type]!.what)"))
        }
        for path in Set(inputs).sorted() {
            for file in source.files(at: path) where !files.contains(where: { $0.path == file }) {
                files.append(.init(path: file, content: .copy(file)))
                report.generated.append((file, "copied from the source: a step names it (it joins the workflow's inputs)"))
            }
        }

        // Invalid results are kept out of the repository, so the destination always validates.
        files = quarantine(files, report: &report)
        files.append(.init(path: "MIGRATION.md", content: .text("")))
        report.generated.append(("MIGRATION.md", "this report"))
        let last = files.count - 1
        files[last] = .init(path: "MIGRATION.md", content: .text(report.markdown))
        return MigrationResult(files: files, report: report)
    }

    /// `${metadata.KEY}` of a platform workflow (or a product workflow, for the apps of its product) that an
    /// app's Score lacks fails that app's step at run time: each is a manual step of the app's file.
    func checkMetadata(apps: [MigrationResult.File], workflows: [WorkflowMigration.Result], report: inout MigrationReport) {
        func keys(_ value: ManifestValue) -> Set<String> {
            switch value {
            case .string(let text):
                var found: Set<String> = []
                for case .reference(let placeholder) in Placeholder.tokens(of: text, dollars: .workflow)
                    where placeholder.parts.count == 2 && placeholder.parts[0] == "metadata" { found.insert(placeholder.parts[1]) }
                return found
            case .list(let items): return items.reduce(into: []) { $0.formUnion(keys($1)) }
            case .map(let entries): return entries.reduce(into: []) { $0.formUnion(keys($1.1)) }
            default: return []
            }
        }
        let read = workflows.filter { $0.tier != .application }.map { ($0, keys($0.workflow["spec"] ?? .null)) }
        for app in apps {
            guard let text = app.text, let root = YAMLReader(limits: limits).read(Array(text.utf8), file: app.path).documents.first,
                  let entry = report.files.firstIndex(where: { $0.destination == app.path }) else { continue }
            let metadata = Set(root["metadata"]?.entries?.map(\.key) ?? [])
            let product = root["metadata"]?["product"]?.string
            for (workflow, needed) in read where workflow.tier == .platform || workflow.product == product {
                for key in needed.subtracting(metadata).sorted() {
                    let name = workflow.product.map { "\($0)/\(workflow.name)" } ?? workflow.name
                    report.files[entry].changes.append(.init(.manual, at: report.files[entry].source,
                        "metadata.\(key) is missing, and the \(workflow.tier.rawValue) workflow '\(name)' reads ${metadata.\(key)}: its step fails for this app until \(app.path) sets metadata.\(key)"))
                }
            }
        }
    }

    private func rank(_ source: AdminConfigMigration.Source) -> (Int, Int, String) {
        let name = source.file.split(separator: "/").last.map(String.init) ?? ""
        let isAdminConfig = !source.isWorkflowPoliciesDocument
        let atRoot = !source.file.contains("/")
        return (isAdminConfig && atRoot && name.hasPrefix("admin-config.") ? 0 : isAdminConfig ? 1 : 2,
                source.file.split(separator: "/").count, source.file)
    }

    /// Validates the files as `innominatus validate DST` would (in memory); a spec file with errors is moved
    /// to `migration/rejected/PATH.rejected` (not read as a spec) with its errors as manual steps, and the repository is validated again.
    func quarantine(_ files: [MigrationResult.File], report: inout MigrationReport) -> [MigrationResult.File] {
        var files = files
        for _ in 0..<3 {
            // What `validate DIR` reads: the .yaml and .yml files (copies included, as text); golden paths alone, as workflows.
            let specs = files.filter { ($0.path.hasSuffix(".yaml") || $0.path.hasSuffix(".yml")) && !$0.path.hasPrefix("migration/") }
            let repoFiles = specs.map { RepoFile(path: $0.path, bytes: Array(($0.text ?? "").utf8)) }.filter { !$0.bytes.isEmpty }
            var validation = PlatformRepoValidator(limits: limits).validate(files: repoFiles).files
            for file in files where file.path.hasSuffix(WorkflowMigration.goldenPathSuffix) {
                validation.append(SpecValidator(limits: limits).validate(Array((file.text ?? "").utf8), path: file.path, as: .workflow))
            }
            report.validationErrors = validation.flatMap(\.errors).map(\.description)
            report.validationWarnings = validation.flatMap(\.warnings).map(\.description)
            var invalid = validation.filter { !$0.isValid && $0.path != AdminConfig.defaultPath }
            guard !invalid.isEmpty else { return files }
            // An app's own workflows go with its Score file: without it they never run.
            for score in invalid where score.path.hasPrefix("apps/") && score.path.hasSuffix("/score.yaml") {
                let folder = String(score.path.dropLast("score.yaml".count)) + "workflows/"
                for file in files where file.path.hasPrefix(folder) && !invalid.contains(where: { $0.path == file.path }) {
                    invalid.append(SpecFileReport(path: file.path, kind: .workflow, diagnostics: [SpecDiagnostic(
                        file: file.path, at: .start, field: "", message: "its app's Score file \(score.path) does not validate, so this workflow would never run")]))
                }
            }
            for file in invalid {
                guard let index = files.firstIndex(where: { $0.path == file.path }) else { continue }
                let rejected = "migration/rejected/" + file.path + ".rejected"
                files[index].path = rejected
                if let entry = report.files.firstIndex(where: { $0.destination == file.path }) {
                    report.files[entry].destination = rejected
                    report.files[entry].summary += " Kept out of the repository: it does not validate."
                    report.files[entry].changes += file.errors.map {
                        .init(.manual, at: $0.location.description == "1:1" ? rejected : "\(rejected):\($0.line):\($0.column)",
                              "fix '\($0.message)' and move the file to \(file.path)")
                    }
                }
            }
        }
        return files
    }
}
