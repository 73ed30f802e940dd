import Foundation
import GitKit
import Planner
import Reconciler

/// The read side of the API: what the remote holds now (status notes, applied state, the head's desired
/// state and plan), read into a clone of its own (`<workdir>/api`) so requests never contend with the
/// loop's cache or lock. Reads run one at a time (an actor alone would not do it: it is re-entered at every
/// `await`, and two fetches into one repository at once fail on git's locks); the desired-state loader's
/// parse cache is kept across requests, so only changed blobs are re-parsed.
///
/// Identical reads are coalesced: a request joins a read of the same thing that is queued and has not
/// started yet, so it still sees a fetch that began after it arrived (a push is visible to the next
/// request), while a thousand requests a second cost one fetch per kind of read at a time instead of
/// queueing a thousand fetches.
actor PlatformView {
    private let settings: ReconcileSettings
    private var loader = DesiredStateLoader()
    /// The read queued last; the next one starts when it has finished.
    private var tail: Task<Void, Never>?
    /// Reads queued and not started yet, by what they read.
    private var waiting: [String: Task<any Sendable, any Error>] = [:]
    /// Reads started so far.
    private var started = 0
    /// The last plan, with the refs it was made from (`refsKey`): reused while they have not moved, for
    /// `outcomeReuse` at most (waiting times in the plan depend on the clock).
    private var lastOutcome: (refs: String, made: ContinuousClock.Instant, outcome: PlanningPass.Outcome)?
    static let outcomeReuse: Duration = .seconds(5)

    /// A value read, with the number of the read that produced it.
    struct Read<T: Sendable>: Sendable {
        var value: T
        var number: Int
    }

    init(settings: ReconcileSettings) {
        self.settings = settings
    }

    /// Runs `read` after every read queued before it, sharing it with every request for `key` that arrives
    /// before it starts. Returns the value and the read's number (reads are numbered as they start), by
    /// which an answer rendered from it can be reused for the other requests that shared it.
    private func coalesced<T: Sendable>(_ key: String, _ read: @escaping @Sendable () async throws -> T) async throws -> Read<T> {
        if let queued = waiting[key] { return try await Self.cast(queued.value) }
        let previous = tail
        let task = Task<any Sendable, any Error> {
            await previous?.value
            let number = await self.starting(key)
            return Read(value: try await read(), number: number)
        }
        waiting[key] = task
        tail = Task { _ = try? await task.value }
        return try await Self.cast(task.value)
    }

    private func starting(_ key: String) -> Int {
        waiting[key] = nil
        started += 1
        return started
    }

    private static func cast<T>(_ value: any Sendable) throws -> T {
        guard let typed = value as? T else { throw CancellationError() }
        return typed
    }

    private var planning: PlanningPass { settings.planning }

    /// The head's desired state, applied state and plan (nothing is executed or written but the cache).
    func outcome() async throws -> PlanningPass.Outcome {
        try await outcomeRead().value
    }

    func outcomeRead() async throws -> Read<PlanningPass.Outcome> {
        try await coalesced("outcome") { try await self.plan() }
    }

    /// Fetches (every read sees a push made before it), then plans — unless the refs are those of the last
    /// plan, made under `outcomeReuse` ago: at 10,000 apps a plan costs about 0.5 s, a fetch and the ref
    /// reads a few milliseconds.
    private func plan() async throws -> PlanningPass.Outcome {
        let planning = self.planning
        let repository = try await planning.fetch()
        let key = await Self.refsKey(repository)
        if let last = lastOutcome, last.refs == key, ContinuousClock.now - last.made < Self.outcomeReuse {
            return last.outcome
        }
        var working = loader
        defer { loader = working }
        guard let outcome = try await planning.run(now: .now, loader: &working, stopIfUnchanged: false, fetched: repository) else {
            throw PlanningPass.Failure(description: "no plan was made")
        }
        lastOutcome = (key, ContinuousClock.now, outcome)
        return outcome
    }

    /// What `target` would do if it became the head (`GET /api/v1/preview`); cmd provisioners do not run,
    /// the loop's resource state is read, nothing is written.
    func preview(_ target: PlanningPass.Target, resourceState: String) async throws -> Read<Preview> {
        let planning = planning
        return try await coalesced("preview \(target)") {
            try await PreviewPass(planning: planning, target: target, resourceStateFolder: resourceState).run()
        }
    }

    /// The status note of `revision`, default the last applied commit.
    func status(of revision: String?) async throws -> Read<StatusAnswer> {
        try await coalesced("status \(revision ?? "")") { try await self.readStatus(of: revision) }
    }

    /// The last status read of each revision, with the refs it was read from (the branches, the applied
    /// state and the notes): a note of 10,000 apps takes about 0.3 s to read, the refs a few milliseconds.
    private var lastStatus: [String: (refs: String, answer: StatusAnswer)] = [:]

    private func readStatus(of revision: String?) async throws -> StatusAnswer {
        let repository = try await planning.fetch()
        let key = await Self.refsKey(repository)
        if let hit = lastStatus[revision ?? ""], hit.refs == key { return hit.answer }
        let found = try await StatusReader(settings: settings).status(of: revision, fetched: repository)
        let answer = StatusAnswer(commit: found.commit, status: found.status)
        if lastStatus.count >= 256 { lastStatus.removeAll() }
        lastStatus[revision ?? ""] = (key, answer)
        return answer
    }

    /// The refs every read here depends on, as one string: the applied state, the notes, the branches.
    private static func refsKey(_ repository: Repository) async -> String {
        var refs: [String] = []
        for name in [AppliedStateStore.trackingRef, StatusReader.notesTrackingRef] {
            refs.append(((try? await repository.reference(name)) ?? nil)?.hex ?? "-")
        }
        let branches = ((try? await repository.references(matching: "refs/remotes/origin/*")) ?? [:])
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.hex)" }
        return (refs + branches).joined(separator: " ")
    }

    /// The last history read of each (app, limit), with the refs it was read from: every note is read for it.
    private var lastHistory: [String: (refs: String, statuses: [ReconcileStatus])] = [:]

    private func readHistory(app: String?, limit: Int) async throws -> [ReconcileStatus] {
        let repository = try await planning.fetch()
        let key = await Self.refsKey(repository)
        let name = "\(app ?? "")/\(limit)"
        if let hit = lastHistory[name], hit.refs == key { return hit.statuses }
        let statuses = try await StatusReader(settings: settings).history(app: app, limit: limit, fetched: repository)
        if lastHistory.count >= 256 { lastHistory.removeAll() }
        lastHistory[name] = (key, statuses)
        return statuses
    }

    struct StatusAnswer: Sendable {
        var commit: String
        var status: ReconcileStatus?
    }

    func history(app: String?, limit: Int) async throws -> Read<[ReconcileStatus]> {
        try await coalesced("history \(app ?? "")/\(limit)") { try await self.readHistory(app: app, limit: limit) }
    }
}
