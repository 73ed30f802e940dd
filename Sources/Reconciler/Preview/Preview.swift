import Foundation
import GitKit
import Planner
import Provisioning
import Specs

/// What a commit would do if it became the watched branch's head, shown before anyone merges it
/// (docs/ARCHITECTURE.md §9): the plan, which changed path re-runs which pairs, the rendered manifests'
/// diff against the environment branch, the blocked workflows with the command that approves each, and
/// the invalid files. Nothing runs: no step, no `cmd://` provisioner; no resource state is written.
public struct Preview: Sendable {
    /// `--ref` as given, and the commit it named.
    public var ref: String
    public var commit: String
    public var base: Base
    public var plan: Plan
    public var blastRadius: [BlastRadius]
    public var manifests: [ManifestChange]
    public var blocked: [Blocked]
    public var errors: [String]
    public var warnings: [String]

    public struct Base: Sendable {
        /// The watched branch, its head, and the commit its applied state names.
        public var branch: String
        public var head: String
        public var appliedCommit: String?
        /// The environment branch the diffs are against, and its tip (nil: it does not exist yet).
        public var environmentBranch: String?
        public var environmentCommit: String?
    }

    /// One changed path and the pairs of one tier it makes run (`pairs` 0 and no tier: it re-runs nothing).
    public struct BlastRadius: Sendable, Hashable {
        public var path: String
        public var change: String
        public var tier: Tier?
        public var pairs: Int
    }

    /// One file of an app's folder on the environment branch.
    public struct ManifestChange: Sendable, Hashable {
        public enum Change: String, Sendable {
            case added, modified, removed
            /// A Secret: never on the branch, never shown; named so the reviewer knows it is there.
            case secret
        }

        public var app: String
        public var path: String
        public var change: Change
        /// Unified diff (empty for a Secret).
        public var diff: String
    }

    public struct Blocked: Sendable, Hashable {
        public var workflow: String
        public var reason: String
        /// What `innominatus approve` would pin (nil when approving cannot unblock it: an invalid file).
        public var digest: String?
        public var approve: String?
        /// How many apps it is blocked for.
        public var apps: Int
    }

    /// Exit status, as `terraform plan -detailed-exitcode`: 1 when anything is invalid, 2 when something
    /// would run or be pruned, 0 when nothing would.
    public var exitCode: Int32 {
        if !errors.isEmpty { return 1 }
        return plan.items.contains { $0.action == .run || $0.action == .prune } ? 2 : 0
    }
}

/// Makes a `Preview`: the planning pass aimed at another commit, then the analyses of its plan.
public struct PreviewPass: Sendable {
    public var planning: PlanningPass
    public var target: PlanningPass.Target
    /// The reconciler's resource state (generated passwords, ids), read so that rendering matches what
    /// it would deliver; never written. Default `<workdir>/resources`.
    public var resourceStateFolder: String

    public init(planning: PlanningPass, target: PlanningPass.Target, resourceStateFolder: String? = nil) {
        self.planning = planning
        self.target = target
        self.resourceStateFolder = resourceStateFolder ?? planning.workdir + "/resources"
    }

    /// The notes ref previews are written under, never the status notes.
    public static let notesRef = "refs/notes/innominatus-preview"

    /// - Parameter note: also write the preview (its JSON) as a note on the previewed commit under
    ///   `notesRef` and push it, merged with the remote's preview notes as status notes are.
    public func run(now: Timestamp = .now, note: Bool = false) async throws -> Preview {
        var loader = DesiredStateLoader()
        guard let outcome = try await planning.run(now: now, loader: &loader, stopIfUnchanged: false, target: target) else {
            throw PlanningPass.Failure(description: "no plan was made")
        }
        let repository = outcome.repository
        let plan = outcome.plan
        let desired = outcome.desired
        let branchHead = try await repository.resolveRemoteBranch(planning.branch)

        var preview = Preview(ref: target.description, commit: plan.commit,
                              base: .init(branch: planning.branch, head: branchHead.hex, appliedCommit: outcome.applied.commit),
                              plan: plan, blastRadius: [], manifests: [], blocked: [], errors: [], warnings: [])
        preview.warnings = (outcome.stateProblem.map { [$0 + Self.keyHint] } ?? []) + outcome.warnings
        preview.errors = Self.errors(of: plan)
        preview.blocked = Self.blocked(in: plan, desired: desired)
        let changes = try await changedPaths(outcome, repository: repository)
        preview.blastRadius = Self.blastRadius(plan, applied: outcome.applied, changes: changes)
        if desired.config.delivery.enabled {
            let branch = desired.config.delivery.branch
            preview.base.environmentBranch = branch
            let tip = try? await repository.resolveRemoteBranch(branch)
            preview.base.environmentCommit = tip?.hex
            var renderer = PreviewRenderer(repository: repository, environmentTip: tip,
                                           resourceState: ResourceStateFiles(folder: resourceStateFolder))
            let result = await renderer.manifests(for: plan, desired: desired, loader: loader)
            preview.manifests = result.changes
            preview.errors += result.errors
        }
        if note { try await write(preview, to: repository) }
        return preview
    }

    private func write(_ preview: Preview, to repository: Repository) async throws {
        guard let commit = ObjectID(hex: preview.commit) else { return }
        if let theirs = try await repository.reference(Repository.remoteNotesRef(for: Self.notesRef)) {
            try await repository.mergeNotes(into: Self.notesRef, from: theirs)
        }
        try await repository.writeNote(PreviewRendering.json(preview), on: commit, ref: Self.notesRef, append: false)
        try await repository.pushNotes(Self.notesRef, to: planning.remote)
    }

    /// When the applied state is ignored because this workdir's key did not sign it, how to fix that.
    static let keyHint = "; to preview against the reconciler's applied state, run on its workdir or pass --state-key with its key"

    /// Paths that differ between the applied commit (nothing on a first pass) and the previewed one.
    private func changedPaths(_ outcome: PlanningPass.Outcome, repository: Repository) async throws -> [PathChange] {
        guard let commit = ObjectID(hex: outcome.plan.commit) else { return [] }
        // An applied commit the cache lacks (history rewritten and collected) compares with nothing.
        if let applied = outcome.applied.commit.flatMap(ObjectID.init(hex:)),
           let changes = try? await repository.changedPaths(from: applied, to: commit) {
            return changes
        }
        return try await repository.changedPaths(from: nil, to: commit)
    }

    /// Invalid files and configuration with their positions, each once.
    static func errors(of plan: Plan) -> [String] {
        var seen: Set<String> = []
        var errors: [String] = []
        // A commit the trust file refuses would run nothing (docs/ARCHITECTURE.md §9, trust).
        if let verification = plan.verification, !verification.passed { errors.append(verification.summary) }
        for error in plan.errors + plan.items.filter({ $0.action == .error }).map({ "\($0.app) \($0.tier.rawValue) tier: \($0.reason)" })
        where seen.insert(error).inserted {
            errors.append(error)
        }
        return errors
    }

    /// Each blocked workflow once, with the number of apps it is blocked for and, when approving it is
    /// what unblocks it, the digest `innominatus approve` would pin and the command.
    public static func blocked(in plan: Plan, desired: DesiredState) -> [Preview.Blocked] {
        var byName: [String: Preview.Blocked] = [:]
        for item in plan.items {
            for blocked in item.blocked {
                if var known = byName[blocked.workflow] {
                    known.apps += 1
                    byName[blocked.workflow] = known
                    continue
                }
                var entry = Preview.Blocked(workflow: blocked.workflow, reason: blocked.reason, digest: nil, approve: nil, apps: 1)
                if !blocked.reason.hasPrefix("invalid") {
                    if let (product, name) = productWorkflowName(blocked.workflow),
                       let workflow = desired.productWorkflows[product]?.first(where: { $0.name == name }) {
                        entry.digest = WorkflowPin.digest(path: workflow.path, blobID: workflow.blobID, inputs: workflow.inputs)
                        entry.approve = "innominatus approve \(blocked.workflow)"
                    } else if let blob = desired.apps[item.app]?.provisionerInputs[blocked.workflow] {
                        entry.digest = blob
                        entry.approve = "innominatus approve \(blocked.workflow)"
                    }
                }
                byName[blocked.workflow] = entry
            }
        }
        return byName.values.sorted { $0.workflow < $1.workflow }
    }

    /// `product/name` of a product workflow (a provisioners file's path has more than one '/' or ends in .yaml).
    private static func productWorkflowName(_ full: String) -> (String, String)? {
        let parts = full.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !full.hasSuffix(".yaml"), !full.hasSuffix(".yml") else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// For each changed path, how many pairs of each tier run because of it: a path counts for a pair that
    /// runs when the pair's fingerprint holds it with another blob than the recorded one (or holds it and
    /// the recorded one does not, or the other way round).
    static func blastRadius(_ plan: Plan, applied: AppliedState, changes: [PathChange]) -> [Preview.BlastRadius] {
        let changed = Dictionary(changes.map { ($0.path, $0.kind.rawValue) }, uniquingKeysWith: { first, _ in first })
        var counts: [String: [Tier: Int]] = [:]
        for item in plan.items where item.action == .run {
            guard let now = item.fingerprint?.components else { continue }
            let before = applied.pairs[item.key]?.fingerprint?.components ?? [:]
            for path in Set(now.keys).union(before.keys) where changed[path] != nil && now[path] != before[path] {
                counts[path, default: [:]][item.tier, default: 0] += 1
            }
        }
        var radius: [Preview.BlastRadius] = []
        for (path, change) in changed.sorted(by: { $0.key < $1.key }) {
            guard let tiers = counts[path] else {
                radius.append(.init(path: path, change: change, tier: nil, pairs: 0))
                continue
            }
            for tier in Tier.allCases { if let pairs = tiers[tier] { radius.append(.init(path: path, change: change, tier: tier, pairs: pairs)) } }
        }
        return radius
    }
}
