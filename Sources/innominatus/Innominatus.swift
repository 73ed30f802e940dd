import ArgumentParser

/// The root command: parses and wires, nothing more. Each subcommand lives in its own file.
struct Innominatus: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "innominatus",
        abstract: "A GitOps reconciler for layered (platform → product → application) deployment workflows.",
        discussion: """
            innominatus watches one branch of a platform repository of Score workloads and workflows, \
            re-runs only the (app, tier) pairs whose inputs changed, and records what it did as git notes \
            under refs/notes/innominatus. Read the status with `git log --notes=innominatus`.
            """,
        version: version,
        subcommands: [
            Validate.self, PlanCommand.self, PreviewCommand.self, Approve.self, Run.self, Render.self,
            Reconcile.self, Watch.self, Serve.self, Trigger.self,
            Status.self, History.self, Workflows.self, Provisioners.self, Migrate.self,
        ]
    )
}
