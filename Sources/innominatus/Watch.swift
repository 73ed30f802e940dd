import ArgumentParser
import Foundation
import ProcessSupport
import Reconciler
import Specs

/// `innominatus watch --repo ... [--workdir DIR] [--interval 30s]`: the loop.
struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Reconcile in a loop: a pass at start, then one every interval.",
        discussion: """
            Level-based: each pass recomputes the plan from the branch head and the applied state, so a missed \
            poll loses nothing. The interval gets up to 10% jitter; while the remote cannot be reached the wait \
            doubles (up to 10 minutes) and the loop says why; failing pairs back off per the admin config's retry \
            settings. SIGTERM or SIGINT stops the loop cleanly: a running step is stopped and recorded as \
            interrupted, and the next pass runs that pair again.
            """)

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var log: LogOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var notify: NotificationOptions
    @OptionGroup var trust: TrustOptions
    @OptionGroup var signing: SigningOptions

    @Option(help: "Time between passes: 500ms, 90s, 10m, 1h.")
    var interval: String = "30s"

    @Option(help: "Apps executed at once.")
    var concurrency: Int = 2

    func validate() throws {
        guard SpecDuration(parsing: interval) != nil else { throw ValidationError("--interval \(interval): write e.g. 30s, 5m or 1h") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        log.bootstrap()
        let every = SpecDuration(parsing: interval)!.duration
        var settings = try await signing.apply(to: trust.apply(to: execution.apply(to: remote.settings(appConcurrency: concurrency))))
        settings.notifier = try notify.notifier(workdir: settings.workdir)
        let reconciler = PlatformReconciler(settings: settings)
        await Shutdown.cancellable {
            await WatchLoop(reconciler: reconciler, interval: every).run { report, _ in
                // An idle pass is the reconciler's one log line; nothing more on stdout.
                guard report.kind != .nothingToDo else { return }
                // Unbuffered, whole: a supervisor or log collector reading a pipe sees each pass at once,
                // and never a summary cut by log lines written to stderr in between.
                let text = "[\(Date().formatted(.iso8601))] " + PassSummary.text(report) + "\n"
                StandardStream.output.write(text)
            }
        }
    }
}
