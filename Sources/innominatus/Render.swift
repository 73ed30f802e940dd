import ArgumentParser
import Foundation
import ProcessSupport
import Provisioning
import Specs

/// `innominatus render SCORE.yaml [--output DIR]`: one app's Kubernetes manifests, rendered locally with
/// the built-in provisioners and those of the repository the Score file sits in, for product teams and
/// pull-request previews. All logic is in Provisioning; this parses, renders and writes.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render one app's Kubernetes manifests locally.",
        discussion: """
            The repository root is the nearest folder above the Score file holding \(AdminConfig.repositoryPaths.joined(separator: " or ")), \
            provisioners/ or .git (or --repo); its provisioners/*.yaml that workflowPolicies.allowedProvisioners in its admin config approves come \
            before the built-in ones (unapproved files are not used; cmd:// ones need allowCmdProvisioners: true). Without --output the manifests \
            are printed to stdout as one YAML stream. Generated passwords are kept in --state FILE (mode 0600) \
            when given, so renders stay identical; without it they are new on every run.
            """)

    @Argument(help: "The app's Score file.")
    var score: String

    @Option(help: "A folder to write one YAML file per object into (default: print to stdout).")
    var output: String?

    @Option(help: "The platform repository's root (default: found from the Score file's location).")
    var repo: String?

    @Option(help: "A JSON file keeping resource state (generated passwords, ids) between renders.")
    var state: String?

    @Option(help: "The commit written into the innominatus.dev/commit label.")
    var commit: String = "local"

    func run() throws {
        let root = repo ?? RepositoryRoot.enclosing(file: score)
        do {
            let registry = try ProvisionerRegistry.forRepository(root: root, policy: try ProvisionerPolicy.forRepository(root: root))
            for (file, reason) in registry.unapprovedFiles {
                StandardStream.error.write("warning: \(file): \(reason)\n")
            }
            let store: any ResourceStateStore = state.map { FileStateStore(path: $0) } ?? MemoryStateStore()
            var renderer = AppRenderer(registry: registry, stateStore: store, commit: commit)
            // `environment` resources read the process environment, as score-compose does.
            renderer.environment = ProcessInfo.processInfo.environment
            let rendered = try renderer
                .render(scoreFile: score, root: root ?? URL(fileURLWithPath: score).deletingLastPathComponent().path)
            guard let output else {
                StandardStream.output.write(rendered.yaml)
                return
            }
            // Secrets (generated passwords) are written 0600, in folders made 0700 when render creates them; the
            // other manifests are ordinary files. `files` has one file per object, in object order.
            let secrets = rendered.objects.map(RenderedApp.isSecret)
            if secrets.contains(true) {
                if let problem = PrivateFiles.makeFolder(output, restrict: false) { throw ProvisioningError(problem) }
            } else {
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            }
            for (file, secret) in zip(rendered.files, secrets) {
                let path = URL(fileURLWithPath: output).appendingPathComponent(file.name).path
                if secret {
                    if let problem = PrivateFiles.write(Array(file.content.utf8), to: path) { throw ProvisioningError(problem) }
                } else {
                    try Data(file.content.utf8).write(to: URL(fileURLWithPath: path))
                }
            }
        } catch let error as ProvisioningError {
            StandardStream.error.write("Error: \(error.message)\n")
            throw ExitCode(1)
        }
    }
}
