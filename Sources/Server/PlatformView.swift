import Foundation
import GitKit
import Planner
import Reconciler

/// The read side of the API: what the remote holds now (status notes, applied state, the head's desired
/// state and plan), read into a clone of its own (`<workdir>/api`) so requests never contend with the
/// loop's cache or lock. Reads run one at a time (an actor alone would not do it: it is re-entered at every
/// `await`, and two fetches into one repository at once fail on git's locks); the desired-state loader's
/// parse cache is kept across requests, so only changed blobs are re-parsed.
actor PlatformView {
    private let settings: ReconcileSettings
    private var loader = DesiredStateLoader()
    /// The read queued last; the next one starts when it has finished.
    private var tail: Task<Void, Never>?

    init(settings: ReconcileSettings) {
        self.settings = settings
    }

    /// Runs `read` after every read queued before it.
    private func serialized<T: Sendable>(_ read: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tail
        let task = Task {
            await previous?.value
            return try await read()
        }
        tail = Task { _ = try? await task.value }
        return try await task.value
    }

    private var planning: PlanningPass { settings.planning }

    /// The head's desired state, applied state and plan (nothing is executed or written but the cache).
    func outcome() async throws -> PlanningPass.Outcome {
        try await serialized { try await self.plan() }
    }

    private func plan() async throws -> PlanningPass.Outcome {
        var working = loader
        defer { loader = working }
        return try await planning.run(now: .now, loader: &working)
    }

    /// The status note of `revision`, default the last applied commit.
    func status(of revision: String?) async throws -> (commit: String, status: ReconcileStatus?) {
        let settings = settings
        return try await serialized { try await StatusReader(settings: settings).status(of: revision) }
    }

    func history(app: String?, limit: Int) async throws -> [ReconcileStatus] {
        let settings = settings
        return try await serialized { try await StatusReader(settings: settings).history(app: app, limit: limit) }
    }
}
