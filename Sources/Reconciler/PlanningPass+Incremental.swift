import GitKit
import Planner
import ProcessSupport
import Specs

/// The incremental plan (docs/ARCHITECTURE.md §18): from the memo of the last plan, the apps a change since
/// its commit touches are loaded and planned alone, and every other app keeps its items; when platform
/// workflows alone changed, every other app's platform pair is decided again from its recorded Score and the
/// rest of its items kept. Whenever the change could reach more than that, it gives up and the plan is made
/// in full.
extension PlanningPass {
    /// Why an incremental plan was not made (`INNOMINATUS_TIMINGS=1` prints it).
    enum MemoMiss: Error {
        case noMemo, otherSettings, otherAppliedState, unknownCommit
        /// A path outside every app's folder, one another app depends on, or one an input pattern names.
        case sharedChange(String)
        /// An app the memo planned lost its Score file (a prune), or an app's new workflow reads other apps' files.
        case reach(String)
        /// The memo's lines or an app to plan again have names a binary search cannot find (not plain ASCII).
        case unsearchable
    }

    /// The plan of `head` from the memo, or why there is none.
    func incrementalPlan(head: ObjectID, branchHead: ObjectID, key: StateKey, now: Timestamp, loader: inout DesiredStateLoader,
                         repository: Repository, lap: (String) -> Void = { _ in }) async throws -> Result<Outcome, MemoMiss> {
        guard let memo = PlanMemo.read(workdir: workdir) else { return .failure(.noMemo) }
        guard memo.key == PlanMemo.settingsKey(branch: branch, limits: loader.limits) else { return .failure(.otherSettings) }
        let store = AppliedStateStore(repository: repository)
        let blob: ObjectID?
        do { blob = try await store.blobID() } catch { return .failure(.otherAppliedState) }
        guard blob?.hex == memo.appliedBlob else { return .failure(.otherAppliedState) }
        lap("memo header")
        guard let since = ObjectID(hex: memo.commit), let changes = try? await repository.changedPaths(from: since, to: head) else {
            return .failure(.unknownCommit)
        }
        let prefix = memo.appsRoot + "/"
        let platformFolder = memo.workflowsRoot + "/platform/"
        let patterns = memo.patterns.map(InputPattern.init)
        var affected: Set<String> = []
        // Files directly in the platform workflows' folder (checked against the admin config once loaded).
        var platformChanges: [String] = []
        for change in changes {
            let path = change.path
            guard !memo.watched.contains(path), !patterns.contains(where: { $0.covers(path) }) else {
                return .failure(.sharedChange(path))
            }
            if path.hasPrefix(prefix), let slash = path.dropFirst(prefix.count).firstIndex(of: "/") {
                affected.insert(String(path[path.index(path.startIndex, offsetBy: prefix.count)..<slash]))
            } else if path.hasPrefix(platformFolder), !path.dropFirst(platformFolder.count).contains("/") {
                platformChanges.append(path)
            } else {
                return .failure(.sharedChange(path))
            }
        }
        lap("changed paths")
        // Waiting pairs depend on the clock: their apps are always planned again.
        affected.formUnion(memo.waiting)
        // Every app's platform pair moves with a platform workflow: the apps whose platform line cannot be
        // decided again from its record alone are planned in full — a moved Score, a platform pair not
        // plainly unchanged, or another pair that is not skipped (it may be in error or close a gate). A
        // listed app whose pairs are all skipped (a product workflow awaiting approval) is not one of them.
        var platformRecords = (state: AppliedState(), apps: [String]())
        if let first = platformChanges.first {
            guard memo.ordered else { return .failure(.unsearchable) }
            affected.formUnion(memo.renamed)
            for app in memo.listed where !affected.contains(app) {
                guard let items = memo.items(in: memo.range(of: Array(app.utf8))) else { return .failure(.noMemo) }
                if !items.allSatisfy(PlanMemo.keepsPlatformLine) { affected.insert(app) }
            }
            guard memo.pruneItems.isEmpty else { return .failure(.reach("a prune, with \(first) changed")) }
            guard affected.count <= 32 else { return .failure(.reach("\(affected.count) apps to plan in full, with \(first) changed")) }
            if let blob = memo.appliedBlob {
                guard let records = await withAppliedBytes(blob: blob, repository: repository, { bytes, _ in
                    try? AppliedStateCodec.platformPairs(of: bytes)
                }) else { return .failure(.otherAppliedState) }
                platformRecords = records
            }
            lap("platform pairs (\(platformRecords.apps.count))")
        }
        // Their lines are found by binary search, which needs names that sort as bytes as the planner sorts them.
        guard memo.ordered, affected.allSatisfy({ PlanMemo.isPlain($0.utf8) }) else { return .failure(.unsearchable) }
        let warnings = try await stateWarnings(appliedCommit: memo.appliedCommit, branchHead: branchHead, repository: repository)
        lap("applied commit on the branch")
        if affected.isEmpty, memo.commit == head.hex {
            guard let outcome = memoOutcome(memo, repository: repository, desired: DesiredState(commit: head.hex), applied: .empty,
                                            key: key, warnings: warnings) else { return .failure(.noMemo) }
            return .success(outcome)
        }
        // The same blob as when the memo was written, whose state was authentic then: its lines of the
        // affected apps, from the uncompressed copy beside the memo when it is there.
        var applied = AppliedState(commit: memo.appliedCommit)
        if let blob = memo.appliedBlob {
            let few = affected.count <= 32
            var lines: [UInt8]?
            if few {
                lines = await withAppliedBytes(blob: blob, repository: repository) { AppliedStateCodec.excerpt(of: $0, apps: affected, ordered: $1) }
            } else if let id = ObjectID(hex: blob) {
                lines = try? await repository.readBlob(id, limit: AppliedStateStore.sizeLimit)
            }
            guard let lines, let decoded = try? AppliedStateCodec.decode(lines) else { return .failure(.otherAppliedState) }
            applied = decoded
            if !few {
                applied.pairs = applied.pairs.filter { affected.contains($0.key.app) }
                applied.apps = applied.apps.filter { affected.contains($0.key) }
            }
        }
        lap("applied (\(affected.count) apps)")
        let appsRoot = memo.appsRoot
        let snapshot = try await repository.snapshot(of: head, pruning: appsRoot, keeping: affected)
        lap("snapshot (\(snapshot.entries.count) files)")
        loader.openParseCache(workdir: workdir, key: PlanMemo.settingsKey(branch: branch, limits: loader.limits))
        var desired = try await loader.load(snapshot, applied: applied, from: repository)
        if Self.timings { StandardStream.error.write("plan load: \(loader.costSummary)\n") }
        // Other apps' folders were not read: their entries are kept as they are.
        loader.saveParseCache(partial: true)
        guard desired.configErrors.isEmpty, RepositoryPath.normalized(desired.config.appsRoot) == appsRoot else {
            return .failure(.sharedChange(desired.configPath ?? AdminConfig.defaultPath))
        }
        lap("load")
        desired.configPath = AdminConfig.path { snapshot[$0] != nil }
        if applied.commit == memo.commit {
            desired.changedPaths = Set(changes.map(\.path))
        } else if let old = applied.commit.flatMap(ObjectID.init(hex:)) {
            desired.changedPaths = (try? await repository.changedPaths(from: old, to: head)).map { Set($0.map(\.path)) }
        }
        // What the folders left out would have changed: a shared workflow's inputs or a step type's program
        // inside appsRoot.
        let shared = desired.platformWorkflows + desired.productWorkflows.values.joined()
        for workflow in shared {
            for pattern in workflow.workflow?.inputs ?? [] where Self.reachesOtherApps(pattern, app: nil, appsRoot: appsRoot) {
                return .failure(.reach(workflow.path))
            }
        }
        for (name, definition) in desired.config.stepTypes {
            if let program = definition.command.first.map(RepositoryPath.normalized),
               program.hasPrefix(prefix) || platformChanges.contains(program) {
                return .failure(.reach("step type '\(name)'"))
            }
        }
        let classifier = RepoLocation.Classifier(config: desired.config)
        for path in platformChanges {
            guard case .platformWorkflow = classifier.location(of: path) else { return .failure(.sharedChange(path)) }
        }
        for app in desired.apps.values {
            for workflow in app.workflows {
                for pattern in workflow.workflow?.inputs ?? [] where Self.reachesOtherApps(pattern, app: app.name, appsRoot: appsRoot) {
                    return .failure(.reach(workflow.path))
                }
            }
        }
        lap("changed paths since the applied commit, and reach checks")
        // An app the memo planned that lost its Score file is a prune, decided over the whole applied state.
        guard let prunes = memo.items(in: memo.pruneItems) else { return .failure(.noMemo) }
        for app in affected where desired.apps.index(forKey: app) == nil {
            if !memo.range(of: Array(app.utf8)).isEmpty || prunes.contains(where: { $0.app == app }) {
                return .failure(.reach("\(prefix)\(app)"))
            }
        }
        let fresh = Planner().plan(desired: desired, applied: applied, now: now)
        // Prunes come from apps the memo planned, which were sent to the full plan above.
        guard fresh.errors.isEmpty, fresh.items.allSatisfy({ desired.apps.index(forKey: $0.app) != nil }) else {
            return .failure(.reach("a prune"))
        }
        lap("plan")
        // The memo's lines of the other apps are copied as bytes; the fresh items replace those apps' lines.
        var base = memo
        base.patterns.formUnion(PlanMemo.patterns(of: desired))
        base.watched.formUnion(PlanMemo.watched(of: desired, appsRoot: appsRoot))
        base.renamed.subtract(affected)
        base.renamed.formUnion(PlanMemo.renamed(affected, desired: desired, applied: applied))
        let replaced = affected.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let replacement: PlanMemo?
        if let first = platformChanges.first {
            guard let platform = platformItems(desired: desired, records: platformRecords, except: affected, now: now) else {
                return .failure(.sharedChange(first))
            }
            lap("platform items (\(platform.count))")
            replacement = base.replacingPlatform(replaced, with: fresh.items, platform: platform, commit: head.hex)
        } else {
            replacement = base.replacing(replaced, with: fresh.items, commit: head.hex)
        }
        lap("memo splice (\(replaced.count) apps' lines replaced)")
        guard let next = replacement,
              let outcome = memoOutcome(next, repository: repository, desired: desired, applied: applied, key: key, warnings: warnings)
        else { return .failure(.noMemo) }
        lap("memo items (\(outcome.plan.items.count) read)")
        next.write(workdir: workdir)
        lap("memo write")
        return .success(outcome)
    }

    /// The platform items of the apps of `records` (in the order of their lines, the memo's for the plain
    /// names of an `ordered` memo) outside `except`, when each only runs or is plainly unchanged: items that
    /// close no gate, so that the app's other items stay as they are. Nil otherwise (`Planner.platformItems`).
    func platformItems(desired: DesiredState, records: (state: AppliedState, apps: [String]), except: Set<String>,
                       now: Timestamp) -> [PlanItem]? {
        guard let items = Planner().platformItems(desired: desired, apps: records.apps.filter { !except.contains($0) },
                                                  applied: records.state, now: now),
              items.allSatisfy({ $0.action == .run || $0.isUnchanged }) else { return nil }
        return items
    }

    /// `body` over the bytes of the applied state's `blob`: the mapped copy beside the memo when it holds that
    /// blob (with whether it is ordered for search), else the blob itself, read and inflated (not ordered).
    func withAppliedBytes<T>(blob: String, repository: Repository, _ body: (UnsafeRawBufferPointer, Bool) -> T?) async -> T? {
        if let found = PlanMemo.withAppliedCopy(workdir: workdir, blob: blob, body) ?? nil { return found }
        guard let id = ObjectID(hex: blob), let bytes = try? await repository.readBlob(id, limit: AppliedStateStore.sizeLimit) else {
            return nil
        }
        return bytes.withUnsafeBytes { body($0, false) }
    }

    /// The outcome of a plan made from `memo`: with `listedOnly`, only the items its text form prints and the
    /// tally of all; otherwise every item. Nil when a line it reads does not decode.
    func memoOutcome(_ memo: PlanMemo, repository: Repository, desired: DesiredState, applied: AppliedState, key: StateKey,
                     warnings: [String]) -> Outcome? {
        guard let items = listedOnly ? memo.listedItems() : memo.allItems() else { return nil }
        var outcome = Outcome(repository: repository, desired: desired, applied: applied,
                              plan: Plan(commit: memo.commit, appliedCommit: memo.appliedCommit, items: items), key: key,
                              warnings: warnings, partial: true)
        if listedOnly { outcome.tally = memo.tally }
        return outcome
    }

    /// After a pass recorded `applied`: the memo of the plan a `plan` would now make, so that the next
    /// `plan` on this workdir starts from it although the pass moved the applied state (docs/ARCHITECTURE.md §18).
    func writeMemo(after applied: AppliedState, desired: DesiredState, now: Timestamp, limits: SpecLimits,
                   repository: Repository) async {
        let appsRoot = RepositoryPath.normalized(desired.config.appsRoot)
        let store = AppliedStateStore(repository: repository)
        guard PlanMemo.usable(config: desired.config, appsRoot: appsRoot), desired.configErrors.isEmpty, let blob = try? await store.blobID(),
              let bytes = try? await repository.readBlob(blob, limit: AppliedStateStore.sizeLimit) else { return }
        let plan = Planner().plan(desired: desired, applied: applied, now: now)
        guard plan.errors.isEmpty else { return }
        PlanMemo.writeAppliedCopy(workdir: workdir, blob: blob.hex, bytes: bytes)
        PlanMemo(key: PlanMemo.settingsKey(branch: branch, limits: limits), plan: plan, desired: desired, applied: applied,
                 appliedBlob: blob.hex, appsRoot: appsRoot).write(workdir: workdir)
    }

    /// Whether an `inputs` pattern of an app's workflow can name files of other apps' folders, which an
    /// incremental plan does not load.
    /// - Parameter app: the app whose own folder it may name; nil for a platform or product workflow.
    static func reachesOtherApps(_ pattern: String, app: String?, appsRoot: String) -> Bool {
        let path = InputPattern(pattern).path
        let literal = String(path.prefix { $0 != "*" && $0 != "?" && $0 != "[" })
        if let app, literal.hasPrefix(appsRoot + "/" + app + "/") { return false }
        let apps = appsRoot + "/"
        return literal.hasPrefix(apps) || apps.hasPrefix(literal)
    }
}
