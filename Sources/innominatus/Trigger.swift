import ArgumentParser
import Reconciler

/// `innominatus trigger --repo ... APP WORKFLOW`: run a manual workflow for an app and record it.
struct Trigger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger",
        abstract: "Run a manual workflow for an app at the branch head, and record the run as a status note.",
        discussion: """
            WORKFLOW is the name of a platform workflow, of one of the app's own workflows, or PRODUCT/NAME for a \
            product workflow. Only workflows with the `manual` trigger run this way, under the same policy as the \
            loop (an unapproved or disallowed workflow is refused). The applied state is not changed.
            """)

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var log: LogOptions
    @OptionGroup var execution: ExecutionOptions

    @Argument(help: "The app (its folder under the apps root).")
    var app: String

    @Argument(help: "The workflow: NAME or PRODUCT/NAME.")
    var workflow: String

    func run() async throws {
        log.bootstrap()
        let trigger = ManualTrigger(settings: execution.apply(to: remote.settings()))
        let report = try await Shutdown.cancellable { () -> Result<PassReport, any Error> in
            do { return .success(try await trigger.run(app: app, workflow: workflow)) } catch { return .failure(error) }
        }.get()
        print(PassSummary.text(report))
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
