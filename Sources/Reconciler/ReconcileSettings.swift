import Executor
import Foundation
import GitKit

/// How a reconciler reaches its remote and where it keeps its files: what `reconcile`, `watch` and
/// `serve` share.
public struct ReconcileSettings: Sendable {
    public var remote: Remote
    public var branch: String
    /// The reconciler's folder: `cache.git` (bare clone), `checkout/` (read-only tree of the head for
    /// steps), `logs/` (full step logs), `lock`.
    public var workdir: String
    /// Apps executed at once (phases and tiers stay in order inside an app).
    public var appConcurrency: Int
    /// How long a lease on the remote branch lasts without renewal.
    public var leaseDuration: Duration
    /// Who this reconciler is, in the lease and the logs (`host:pid` by default).
    public var holder: String
    /// Pairs to run whatever their fingerprint (`--force APP[/TIER]`), stalled ones included.
    public var force: [ForceTarget]
    /// `--state-key FILE`: the key that authenticates the applied state and the lease (nil: the workdir's).
    public var stateKeyFile: String?
    /// Who steps run as (nil: this process's user); see `StepUser.resolve`.
    public var stepUser: StepUser?
    /// Step logs are kept for this many passes (`logs/<commit>/`, newest by time); older ones are removed.
    public var logRetention = 20
    /// One app's step logs in one pass stop growing here (each step's log is capped apart as well).
    public var appLogLimitBytes = 64 << 20
    /// A pass does not start with less free space than this in the workdir: its state and notes could
    /// not be recorded.
    public var minimumFreeBytes = 64 << 20
    /// `--notifications FILE`: commit statuses and events after each loop pass (nil: nobody is told).
    public var notifier: Notifier?
    /// `--trust FILE`: the head is applied only when its commits are signed by signers allowed to change
    /// what they changed (docs/ARCHITECTURE.md §9, trust); nil checks no signature.
    public var trust: TrustSettings?
    /// `--signing-key FILE`: signs the environment branch's commits (nil: they are not signed).
    public var signingKey: SigningKey?

    public init(repo: String, branch: String = "main", workdir: String? = nil, helper: HelperCommand = .currentExecutable,
                credentials: Credentials = Credentials(), appConcurrency: Int = 2, leaseDuration: Duration = .seconds(600), holder: String? = nil,
                force: [ForceTarget] = [], stateKeyFile: String? = nil) {
        let planning = PlanningPass(repo: repo, branch: branch, workdir: workdir, helper: helper)
        self.remote = planning.remote
        self.remote.credentials = credentials
        self.branch = branch
        self.workdir = planning.workdir
        self.appConcurrency = max(1, appConcurrency)
        self.leaseDuration = leaseDuration
        self.holder = holder ?? "\(ProcessInfo.processInfo.hostName):\(getpid())"
        self.force = force
        self.stateKeyFile = stateKeyFile.map(PlanningPass.absolutePath)
    }

    /// A planning pass over the same remote, branch and workdir.
    public var planning: PlanningPass {
        var pass = PlanningPass(repo: remote.url, branch: branch, workdir: workdir, helper: remote.helper)
        pass.remote = remote
        pass.stateKeyFile = stateKeyFile
        pass.trust = trust
        return pass
    }
}

/// `APP` or `APP/TIER`: a pair (or every pair of an app) to run whatever its fingerprint says.
public struct ForceTarget: Sendable, Hashable, CustomStringConvertible {
    public var app: String
    public var tier: String?

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let app = parts.first, !app.isEmpty, parts.count <= 2 else { return nil }
        if parts.count == 2 {
            guard ["platform", "product", "application"].contains(parts[1]) else { return nil }
            tier = parts[1]
        } else {
            tier = nil
        }
        self.app = app
    }

    public var description: String { tier.map { "\(app)/\($0)" } ?? app }
}
