import ArgumentParser
import Foundation
import GitKit
import Reconciler

/// `innominatus reconcile --repo URL|PATH [--branch main] [--workdir DIR] [--force APP[/TIER]]`: one pass.
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Run one reconcile pass: fetch, plan, run what changed, record the status as a git note.",
        discussion: """
            Fetches the branch, compares it with the applied state (refs/innominatus/applied in the remote), \
            runs the (app, tier) pairs whose inputs changed in a read-only checkout, appends a ReconcileStatus \
            note on the head commit under refs/notes/innominatus, and pushes notes and state back. When nothing \
            changed since the last pass, it writes nothing. Tiers gate each other across passes: while an \
            earlier pair of an app (say its platform security scan) failed, waits, stalled or is blocked, its later \
            pairs are not run ("gated: ..."), and they run in the pass where the gate succeeds. A pass that could \
            not complete records nothing as succeeded; the next one plans again. Exit status: 0 when every pair \
            that ran succeeded, 1 when a pair failed, was blocked as a whole, stalled, the pass could not \
            complete or --trust refused the head, 3 when another process holds the workdir or the remote's lease.
            """)

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var log: LogOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var notify: NotificationOptions
    @OptionGroup var trust: TrustOptions
    @OptionGroup var signing: SigningOptions

    @Option(name: .customLong("force"), help: ArgumentHelp(
        "Run a pair whatever its fingerprint, also a stalled one: APP or APP/TIER (repeatable). It does not open a gate: a later tier stays not-run while an earlier one of the app is failed, waiting, stalled or blocked (force that one).",
        valueName: "APP[/TIER]"))
    var force: [String] = []

    @Option(help: "Apps executed at once.")
    var concurrency: Int = 2

    func validate() throws {
        for target in force where ForceTarget(target) == nil {
            throw ValidationError("--force \(target): expected APP or APP/TIER with TIER platform, product or application")
        }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        log.bootstrap()
        var settings = try await signing.apply(to: trust.apply(to: execution.apply(to: remote.settings(appConcurrency: concurrency,
                                                                                      force: force.compactMap(ForceTarget.init)))))
        settings.notifier = try notify.notifier(workdir: settings.workdir)
        let reconciler = PlatformReconciler(settings: settings)
        let report = await Shutdown.cancellable { await reconciler.reconcileOnce() }
        print(PassSummary.text(report))
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

/// The options every command that reads the remote shares.
struct RemoteOptions: ParsableArguments {
    @Option(help: "The platform repository: a local path or a URL (file://, ssh://, https://).")
    var repo: String

    @Option(help: "The branch of the platform repository that is deployed.")
    var branch: String = "main"

    @Option(help: "The reconciler's folder, absolute or relative to the current directory (default: ~/.cache/innominatus/<hash of the URL>).")
    var workdir: String?

    @Option(help: "ssh:// remotes: the private key file (default: the SSH agent, $SSH_AUTH_SOCK).")
    var sshKey: String?

    @Option(help: "ssh:// remotes: the known_hosts file the server's key must be in (default: ~/.ssh/known_hosts). https:// remotes read a token from $INNOMINATUS_GIT_TOKEN.")
    var knownHosts: String?

    @Option(help: ArgumentHelp("The key that authenticates the applied state and the lease this reconciler writes to the remote (a secret of at least 32 characters, kept outside the repository). Every reconciler of one remote needs the same key. Default: <workdir>/state.key, made on first use.", valueName: "FILE"))
    var stateKey: String?

    /// The settings these options describe.
    func settings(appConcurrency: Int = 2, force: [ForceTarget] = []) -> ReconcileSettings {
        ReconcileSettings(repo: repo, branch: branch, workdir: workdir,
                          credentials: Credentials(sshPrivateKey: sshKey, knownHosts: knownHosts),
                          appConcurrency: appConcurrency, force: force, stateKeyFile: stateKey)
    }
}
