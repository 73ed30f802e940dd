import Foundation
import GitKit
import Planner
import ProcessSupport
import Specs

/// `innominatus plan` as a library call: fetch the branch and the applied state in one transfer,
/// snapshot the head, load the desired state, plan. Nothing is executed or written but the cache.
public struct PlanningPass: Sendable {
    public var remote: Remote
    public var branch: String
    /// The reconciler's own folder; the bare cache is `<workdir>/cache.git`.
    public var workdir: String
    /// The file holding the key that authenticates the applied state and the lease (`--state-key`);
    /// nil: `<workdir>/state.key`, made on first use.
    public var stateKeyFile: String?
    /// `--trust FILE`: who may sign changes to which paths; nil checks no signature (docs/ARCHITECTURE.md §9).
    public var trust: TrustSettings?
    /// Plan incrementally from the workdir's memo of the last plan, and write the memo (`plan` only: the
    /// outcome's desired and applied state then hold the re-planned apps alone; docs/ARCHITECTURE.md §18).
    public var memo = false
    /// With `memo`: the caller prints the text form. An incremental plan's `plan.items` then holds only the
    /// items that form lists, without fingerprints (it prints none), and `Outcome.tally` counts every item
    /// (docs/ARCHITECTURE.md §18).
    public var listedOnly = false

    /// Why a plan could not be made (exit status 1).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    public init(repo: String, branch: String = "main", workdir: String? = nil, helper: HelperCommand = .currentExecutable) {
        let url = Self.normalizedURL(repo)
        remote = Remote(url: url, helper: helper)
        self.branch = branch
        self.workdir = workdir.map(Self.absolutePath) ?? Self.defaultWorkdir(for: url)
    }

    /// A relative `--workdir` is resolved once, against the current directory: the pass later works in
    /// other folders (the checkout, step working directories) and must not resolve it again there.
    static func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// A local path becomes absolute (the cache may be opened from elsewhere); URLs stay as given.
    static func normalizedURL(_ repo: String) -> String {
        if repo.contains("://") || repo.hasPrefix("/") { return repo }
        if let colon = repo.firstIndex(of: ":"), !repo[..<colon].contains("/") { return repo }  // user@host:path
        return URL(fileURLWithPath: repo).standardizedFileURL.path
    }

    /// `~/.cache/innominatus/<hash of URL>`: one cache per remote, stable across runs.
    public static func defaultWorkdir(for url: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in url.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + "/.cache/innominatus/" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Opens (or creates) the cache and fetches the branches and `refs/innominatus/*` in one transfer.
    /// - Parameter extra: more refspecs for the same transfer (a preview's `refs/pull/7/head`).
    public func fetch(also extra: [String] = []) async throws -> Repository {
        // Before the workdir is made: nothing is written for a URL that carries a password.
        if let refusal = RemoteURL.refusal(remote.url, operation: "fetch") { throw Failure(description: refusal.description) }
        let lock = try await CacheLock.acquire(workdir: workdir)
        defer { lock.release() }
        let cache = workdir + "/cache.git"
        let repository: Repository
        if FileManager.default.fileExists(atPath: cache + "/objects") {
            repository = try Repository.open(at: cache)
        } else {
            do {
                try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
            } catch {
                throw Failure(description: "cannot create the workdir \(workdir): \(error.localizedDescription); pass --workdir")
            }
            repository = try Repository.createBare(at: cache)
        }
        try await repository.setOrigin(remote.url)
        // An extra ref the remote no longer has must not resolve to what an earlier fetch left.
        for spec in extra {
            if let colon = spec.lastIndex(of: ":") { try? await repository.deleteReference(String(spec[spec.index(after: colon)...])) }
        }
        try await repository.fetch(from: remote, refspecs: [Repository.branchesRefspec, AppliedStateStore.refspec,
                                                            Self.notesRefspec] + extra)
        return repository
    }

    /// The remote's notes, fetched with the branches (one transfer) so that a pass appends its note on top
    /// of the latest ones and its push is usually a fast-forward.
    public static let notesRefspec = "+refs/notes/*:refs/innominatus/remote-notes/*"

    /// Everything a pass decided on: the reconciler executes `plan` and records over `applied`.
    public struct Outcome: Sendable {
        public var repository: Repository
        public var desired: DesiredState
        public var applied: AppliedState
        public var plan: Plan
        /// Signs what this pass writes for itself (applied state, lease).
        public var key: StateKey
        /// Why the stored applied state was ignored (planned as a first pass, nothing pruned), if it was.
        public var stateProblem: String?
        /// What the pass should say it worked around (the rejected state, a force-pushed applied commit).
        public var warnings: [String] = []
        /// The trust stage refused the head at an earlier pass (its note says so) and neither the branch, the
        /// applied commit nor the trust file moved since: the pass does nothing (`plan.verification` says why).
        public var refusedBefore = false
        /// Made from the memo of an earlier plan: `desired` and `applied` hold only the apps planned again, and
        /// the other items carry their fingerprint's digest alone.
        public var partial = false
        /// The summary's counts over every item, when `plan.items` holds only the listed ones (`listedOnly`).
        public var tally: PlanRendering.Tally?
    }

    /// The state key (`--state-key`, or the workdir's own).
    public func stateKey() throws -> StateKey {
        do { return try StateKey.load(file: stateKeyFile, workdir: workdir) } catch {
            throw Failure(description: error.description)
        }
    }

    public func plan(now: Timestamp, loader: inout DesiredStateLoader) async throws -> Plan {
        try await run(now: now, loader: &loader).plan
    }

    /// Records every pair `outcome` planned as succeeded and pushes that applied state, without running
    /// anything: how benchmarks get the applied state of 10,000 apps (`plan --record-success`, hidden).
    /// Nothing is recorded when the plan has errors or the trust file refused the head.
    public func recordSuccess(of outcome: Outcome, at now: Timestamp = .now) async throws {
        guard outcome.plan.errors.isEmpty, outcome.plan.verification?.passed != false else { return }
        let state = outcome.applied.recordingSuccess(of: outcome.plan, desired: outcome.desired, at: now)
        try await AppliedStateStore(repository: outcome.repository).save(state, to: remote, key: outcome.key)
    }

    public func run(now: Timestamp, loader: inout DesiredStateLoader, forced: Set<PairKey> = []) async throws -> Outcome {
        guard let outcome = try await run(now: now, loader: &loader, forced: forced, stopIfUnchanged: false) else {
            throw Failure(description: "no plan was made")
        }
        return outcome
    }

    /// With `stopIfUnchanged`, returns nil right after the fetch when the branch head is the applied commit,
    /// the pass that applied it settled (it completed and every pair it planned has an outcome) and no pair
    /// is dirty (failed, interrupted or stalled) or forced: a no-op pass then reads no tree and parses nothing.
    /// Anything else plans in full, so `plan` and `reconcile` on the same workdir agree.
    ///
    /// With `target`, the commit planned is not the branch head but what `target` picks in the fetched
    /// cache (a preview: what would run if that commit became the head), still against the branch's
    /// applied state; `stopIfUnchanged` is then ignored.
    /// - Parameter fetched: the repository a caller fetched just now (it decided from the refs whether to
    ///   plan at all); nil fetches here.
    public func run(now: Timestamp, loader: inout DesiredStateLoader, forced: Set<PairKey> = [],
                    stopIfUnchanged: Bool, target: Target? = nil, fetched: Repository? = nil) async throws -> Outcome? {
        // INNOMINATUS_TIMINGS=1 prints each phase's duration on stderr (for Benchmarks/planner.sh).
        let timings = Self.timings
        let clock = ContinuousClock()
        var mark = clock.now
        func lap(_ label: String) {
            guard timings else { return }
            let now = clock.now
            StandardStream.error.write("plan phase \(label): \(now - mark)\n")
            mark = now
        }
        let repository: Repository
        if let fetched { repository = fetched } else { repository = try await fetch(also: target?.refspecs ?? []) }
        lap("fetch")
        let branchHead: ObjectID
        do {
            branchHead = try await repository.resolveRemoteBranch(branch)
        } catch {
            throw Failure(description: "the remote \(RemoteURL.redacted(remote.url)) has no branch '\(branch)' (\(error.message)); pass --branch")
        }
        let head = try await target?.resolve(in: repository, remote: remote) ?? branchHead
        let stopIfUnchanged = stopIfUnchanged && target == nil
        let key = try stateKey()
        // The memo first: it reads only the applied state's lines of the apps it plans again.
        if memo, !stopIfUnchanged, forced.isEmpty, target == nil, trust.map({ $0.policy.mode == .none }) ?? true {
            switch try await incrementalPlan(head: head, branchHead: branchHead, key: key, now: now, loader: &loader,
                                             repository: repository, lap: lap) {
            case .success(let outcome):
                return outcome
            case .failure(let miss):
                if timings { StandardStream.error.write("plan memo not used: \(miss)\n") }
            }
        }
        // The applied state is trusted only when the state key authenticates it: anyone who can push to the
        // remote could otherwise mark a pair succeeded (skipping its security scan) or name a commit whose
        // destroy workflows should run. Anything else is ignored the safe way: every pair plans as on a
        // first pass, and nothing is pruned.
        var stateProblem: String?
        var encoded: [UInt8]?
        let store = AppliedStateStore(repository: repository)
        // nil: the ref could not be read (the read below then says why); `.some(nil)`: the remote has none.
        var appliedBlobRead: ObjectID??
        do { appliedBlobRead = .some(try await store.blobID()) } catch {}
        let appliedBlob = appliedBlobRead ?? nil
        // The state this process wrote last (a loop): the same blob, already decoded.
        let cached = loader.appliedCache.flatMap { cache in cache.blob == appliedBlob?.hex ? cache.state : nil }
        // A blob an earlier process authenticated and scanned: when it settled at the head, nothing to read at all.
        let known = stopIfUnchanged && forced.isEmpty && cached == nil
            ? appliedBlob.flatMap { AppliedSummary.read(workdir: workdir, blob: $0.hex, key: key) } : nil
        if let known, known.commit == head.hex, known.settled, !known.dirty {
            lap("applied (its summary remembered)")
            return nil
        }
        if cached == nil {
            // The blob the id names, so that what is remembered of it below (`AppliedSummary`) is its own.
            switch await store.stored(key: key, blob: appliedBlobRead) {
            case .none: break
            case .authentic(let bytes): encoded = bytes
            case .rejected(let why): stateProblem = why
            }
        }
        // The no-op pass decides from a scan of the stored state (its commit line and the pairs' dirty
        // fields) without decoding it: at 10,000 apps decoding was a quarter of the pass.
        if stopIfUnchanged, forced.isEmpty {
            if let cached, cached.commit == head.hex, cached.settled, !cached.pairs.values.contains(where: \.dirty) { return nil }
            if let encoded, let summary = AppliedStateCodec.summary(encoded) {
                if known == nil, let blob = appliedBlob?.hex {
                    AppliedSummary(blob: blob, commit: summary.commit, settled: summary.settled, dirty: summary.dirty)
                        .write(workdir: workdir, key: key)
                }
                if summary.commit == head.hex, summary.settled, !summary.dirty { return nil }
            }
        }
        var applied = cached ?? .empty
        if let encoded {
            do { applied = try AppliedStateCodec.decode(encoded) } catch { stateProblem = error.description }
        }
        // An authentic state whose commit the branch no longer contains was ours when written: the branch was
        // force-pushed (a rollback). It still says what really ran, so it plans as usual, with a warning.
        var stateWarning: String?
        if stateProblem == nil {
            stateWarning = try await stateWarnings(appliedCommit: applied.commit, branchHead: branchHead, repository: repository).first
        }
        if stateProblem != nil { applied = .empty }
        lap("applied")
        let stateNote = stateProblem.map { "the applied state was ignored: \($0); every pair plans as on a first pass and nothing is pruned" }
        // trust: after fetch, before load — a refused head is not even parsed (docs/ARCHITECTURE.md §11).
        var verification: Verification?
        if let trust, trust.policy.mode != .none {
            func refused(_ verdict: Verification, before: Bool) -> Outcome {
                Outcome(repository: repository, desired: DesiredState(commit: head.hex), applied: applied,
                        plan: Plan(commit: head.hex, appliedCommit: applied.commit, items: [], verification: verdict), key: key,
                        stateProblem: stateNote, warnings: stateWarning.map { [$0] } ?? [], refusedBefore: before)
            }
            if stopIfUnchanged, let earlier = await Self.recordedRefusal(on: head, applied: applied.commit, trust: trust, key: key,
                                                                        in: repository) {
                return refused(earlier, before: true)
            }
            let verdict = try await TrustStage(settings: trust, folder: workdir + "/trust")
                .verify(head: head, applied: applied.commit.flatMap(ObjectID.init(hex:)), in: repository)
            if verdict.refusal != nil { return refused(verdict, before: false) }
            verification = verdict
            lap("trust")
        }
        let snapshot = try await repository.snapshot(of: head)
        lap("snapshot")
        loader.openParseCache(workdir: workdir, key: PlanMemo.settingsKey(branch: branch, limits: loader.limits))
        lap("parse cache read")
        var desired = try await loader.load(snapshot, applied: applied, from: repository)
        let written = loader.saveParseCache(partial: false)
        lap("load")
        if timings {
            let saved = written.map { "written with \($0) entries" } ?? "not written"
            StandardStream.error.write("plan load: \(loader.costSummary); parse cache \(saved)\n")
        }
        desired.configPath = AdminConfig.path { snapshot[$0] != nil }
        if let old = applied.commit.flatMap(ObjectID.init(hex:)) {
            // Only for reasons; an applied commit the cache lacks leaves them plainer.
            desired.changedPaths = (try? await repository.changedPaths(from: old, to: head)).map { Set($0.map(\.path)) }
        }
        lap("changed paths since the applied commit")
        var plan = Planner().plan(desired: desired, applied: applied, now: now, forced: forced)
        plan.verification = verification
        lap("plan")
        if memo, forced.isEmpty, target == nil, stateProblem == nil, verification == nil, plan.errors.isEmpty {
            let appsRoot = RepositoryPath.normalized(desired.config.appsRoot)
            // `appliedBlob` is the blob this plan read (nil: the remote has none, or it could not be told); a
            // concurrent fetch that moved the ref since leaves no memo rather than a mislabelled one.
            let stillApplied = try? await store.blobID()
            if PlanMemo.usable(config: desired.config, appsRoot: appsRoot), appliedBlob != nil || encoded == nil,
               stillApplied == appliedBlob {
                if let blob = appliedBlob?.hex, let encoded { PlanMemo.writeAppliedCopy(workdir: workdir, blob: blob, bytes: encoded) }
                PlanMemo(key: PlanMemo.settingsKey(branch: branch, limits: loader.limits), plan: plan, desired: desired,
                         applied: applied, appliedBlob: appliedBlob?.hex, appsRoot: appsRoot).write(workdir: workdir)
            }
            lap("memo")
        }
        return Outcome(repository: repository, desired: desired, applied: applied, plan: plan, key: key,
                       stateProblem: stateNote, warnings: stateWarning.map { [$0] } ?? [])
    }

    /// INNOMINATUS_TIMINGS=1: each phase's duration, and what the load parsed, on stderr (for the benchmarks).
    static var timings: Bool { ProcessInfo.processInfo.environment["INNOMINATUS_TIMINGS"] != nil }

    /// What a pass says when the applied commit is not on the branch any more (the branch was force-pushed:
    /// a rollback). The state still says what really ran, so it plans as usual.
    func stateWarnings(appliedCommit: String?, branchHead: ObjectID, repository: Repository) async throws -> [String] {
        guard let commit = appliedCommit, commit != branchHead.hex, !(await Self.branch(branchHead, contains: commit, in: repository))
        else { return [] }
        return ["the applied commit \(commit.prefix(12)) is not on the branch '\(branch)' any more (it was "
            + "force-pushed); planning against what ran there"]
    }

    /// The refusal a pass recorded on `head` (the last status the state key signed in its note, as the
    /// remote has it), when it was made against the same applied commit and the same trust file: nothing
    /// is tried again until the branch, the applied state or the trust file moves.
    static func recordedRefusal(on head: ObjectID, applied: String?, trust: TrustSettings, key: StateKey,
                                in repository: Repository) async -> Verification? {
        guard let note = try? await repository.note(on: head, ref: Repository.remoteNotesRef(for: Repository.defaultNotesRef)),
              let status = StatusNote.lastStatus(in: note, key: key), status.previousCommit == applied,
              let recorded = status.verification?.verification, recorded.refusal != nil, recorded.trust == trust.digest else {
            return nil
        }
        return recorded
    }

    /// Whether `commit` is `head` or one of its ancestors (a commit the cache lacks is not).
    static func branch(_ head: ObjectID, contains commit: String, in repository: Repository) async -> Bool {
        guard let id = ObjectID(hex: commit) else { return false }
        return (try? await repository.isDescendant(head, of: id)) ?? false
    }
}

extension Timestamp {
    public init(date: Date) {
        self.init(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    /// The wall clock, read by callers of the planner (never by the planner itself).
    public static var now: Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }
}
