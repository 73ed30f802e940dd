import Foundation
import GitKit
import Planner
import Reconciler

/// The read side of the API: what the remote holds now (status notes, applied state, the head's desired
/// state and plan), read into a clone of its own (`<workdir>/api`) so requests never contend with the
/// loop's cache or lock. An actor: one fetch at a time, and the desired-state loader's parse cache is
/// kept across requests (only changed blobs are re-parsed).
actor PlatformView {
    private let settings: ReconcileSettings
    private var loader = DesiredStateLoader()

    init(settings: ReconcileSettings) {
        self.settings = settings
    }

    private var planning: PlanningPass {
        var pass = PlanningPass(repo: settings.remote.url, branch: settings.branch, workdir: settings.workdir,
                                helper: settings.remote.helper)
        pass.remote = settings.remote
        return pass
    }

    /// The head's desired state, applied state and plan (nothing is executed or written but the cache).
    func outcome() async throws -> PlanningPass.Outcome {
        var working = loader
        defer { loader = working }
        return try await planning.run(now: .now, loader: &working)
    }

    /// The status note of `revision`, default the last applied commit.
    func status(of revision: String?) async throws -> (commit: String, status: ReconcileStatus?) {
        try await StatusReader(settings: settings).status(of: revision)
    }

    func history(app: String?, limit: Int) async throws -> [ReconcileStatus] {
        try await StatusReader(settings: settings).history(app: app, limit: limit)
    }
}
