import Specs

/// Decides, from values only, which (app, tier) pairs run and why (docs/ARCHITECTURE.md §3).
///
/// A pure function of the desired state, the applied state and `now`: no files, no git, no clock.
/// Like Hummingbird's connection state machine it returns actions for its caller to carry out, which
/// is what makes every rule testable with plain tables.
public struct Planner: Sendable {
    public init() {}

    /// - Parameter forced: pairs to run whatever their fingerprint says, stalled ones included
    ///   (`reconcile --force`); blocked, errored and suspended pairs stay as they are.
    public func plan(desired: DesiredState, applied: AppliedState, now: Timestamp, forced: Set<PairKey> = []) -> Plan {
        guard desired.configErrors.isEmpty else {
            return Plan(commit: desired.commit, appliedCommit: applied.commit, items: [],
                        errors: desired.configErrors.map { "invalid admin config, nothing runs: \($0)" })
        }
        let policy = WorkflowPolicy(config: desired.config, stepTypeFiles: desired.stepTypeFiles)
        let (platform, missing) = Self.platformTier(desired, policy: policy)
        var products: [String: [WorkflowPolicy.Verdict]] = [:]
        for (product, workflows) in desired.productWorkflows {
            products[product] = workflows.sorted { $0.name < $1.name }.map { policy.judge($0, tier: .product, product: product) }
        }
        // Shared fingerprint parts are computed once per tier (platform) or product, not per app.
        let platformShared = Self.shared(platform, policy: policy)
        var productShared: [String: TierWorkflows] = [:]
        for (product, verdicts) in products { productShared[product] = Self.shared(verdicts, policy: policy) }

        let changes = ChangeContext(desired)
        var items: [PlanItem] = []
        items.reserveCapacity(desired.apps.count * 3)
        for name in desired.apps.keys.sorted() {
            let app = desired.apps[name]!
            if !app.errors.isEmpty {
                let reason = "\(app.scorePath) is invalid: " + app.errors.map(\.description).joined(separator: "; ")
                for tier in Tier.allCases { items.append(PlanItem(app: name, tier: tier, action: .error, reason: reason)) }
                continue
            }
            if let product = app.product, !desired.config.admits(app: name, toProduct: product) {
                // A product that declares its members is not a label any app may take: its workflows (and the
                // secrets they use) are not run for an app the platform team did not list.
                let location = app.productLocation.map { ":\($0)" } ?? ""
                let reason = "\(app.scorePath)\(location): error: metadata.product: " + AdminConfig.notAMember(
                    app: name, product: product, configPath: desired.configPath ?? AdminConfig.defaultPath)
                for tier in Tier.allCases { items.append(PlanItem(app: name, tier: tier, action: .error, reason: reason)) }
                continue
            }
            if app.suspended {
                for tier in Tier.allCases {
                    items.append(PlanItem(app: name, tier: tier, action: .suspended,
                                          reason: "suspended: the Score annotation \(DesiredApp.suspendAnnotation) is \"true\""))
                }
                continue
            }
            if !missing.isEmpty {
                let list = missing.map { "'\($0)'" }.joined(separator: ", ")
                let reason = "required platform workflow \(list) missing or blocked: add or fix "
                    + missing.map { "\(desired.config.workflowsRoot)/platform/\($0).yaml" }.joined(separator: ", ")
                    + ", or remove it from requiredPlatformWorkflows"
                for tier in Tier.allCases { items.append(PlanItem(app: name, tier: tier, action: .blocked, reason: reason)) }
                continue
            }
            var decider = PairDecision(app: app, applied: applied, config: desired.config, now: now, forced: forced,
                                       changes: changes)
            var pairs: [PairDecision.Decided] = [decider.decide(.platform, platformShared)]
            if let product = app.product {
                pairs.append(decider.decide(.product, productShared[product] ?? TierWorkflows(),
                                            emptyReason: "no workflows for product '\(product)'"))
            } else {
                pairs.append(PairDecision.Decided(PlanItem(app: name, tier: .product, action: .skip,
                                                           reason: "product tier: the Score sets no metadata.product",
                                                           applies: false)))
            }
            let own = app.workflows.sorted { $0.name < $1.name }.map { policy.judge($0, tier: .application) }
            let invalid = own.compactMap { verdict -> String? in
                if case .invalid(let errors) = verdict.source.content { return errors.map(\.description).joined(separator: "; ") }
                return nil
            }
            if !invalid.isEmpty {
                pairs.append(PairDecision.Decided(PlanItem(app: name, tier: .application, action: .error,
                                                           reason: "application tier: invalid workflow: " + invalid.joined(separator: "; "))))
            } else if desired.config.delivery.enabled {
                if !app.resources.isEmpty, !desired.provisionerErrors.isEmpty {
                    pairs.append(PairDecision.Decided(PlanItem(app: name, tier: .application, action: .error,
                                                               reason: "application tier: the provisioners cannot be read: "
                                                                   + desired.provisionerErrors.joined(separator: "; "))))
                } else if !app.provisionerRefusals.isEmpty {
                    pairs.append(PairDecision.Decided(PlanItem(app: name, tier: .application, action: .error,
                                                               reason: "application tier: " + app.provisionerRefusals.joined(separator: "; "))))
                } else {
                    pairs.append(decider.decide(.application, Self.withGeneratedWorkflow(Self.shared(own, policy: policy), own: own,
                                                                                        app: app, delivery: desired.config.delivery)))
                }
            } else {
                pairs.append(decider.decide(.application, Self.shared(own, policy: policy)))
            }
            items += Gate.apply(to: pairs, applied: applied)
        }
        items += prunes(desired: desired, applied: applied, policy: policy)
        return Plan(commit: desired.commit, appliedCommit: applied.commit, items: items)
    }

    /// The platform tier's verdicts in name order, and the required platform workflows none of them runs.
    static func platformTier(_ desired: DesiredState, policy: WorkflowPolicy) -> (verdicts: [WorkflowPolicy.Verdict], missing: [String]) {
        let verdicts = desired.platformWorkflows.sorted { $0.name < $1.name }.map { policy.judge($0, tier: .platform) }
        let runnable = Set(verdicts.filter(\.runnable).map(\.fullName))
        return (verdicts, desired.config.requiredPlatformWorkflows.filter { !runnable.contains($0) })
    }

    /// The platform tier's items of apps whose other pairs a change of the platform workflows cannot move
    /// (docs/ARCHITECTURE.md §18): each decided as `plan` decides it, from the Score path and id its
    /// platform pair in `applied` recorded (its Score did not change since). Nil when an app has no recorded
    /// fingerprint, or the platform tier is not the same for every app: the admin config is invalid, a
    /// required platform workflow is missing or blocked, or a platform workflow is blocked.
    /// - Parameter apps: the apps, in the order of the items returned.
    public func platformItems(desired: DesiredState, apps: [String], applied: AppliedState, now: Timestamp) -> [PlanItem]? {
        guard desired.configErrors.isEmpty else { return nil }
        let policy = WorkflowPolicy(config: desired.config, stepTypeFiles: desired.stepTypeFiles)
        let (platform, missing) = Self.platformTier(desired, policy: policy)
        guard missing.isEmpty else { return nil }
        let shared = Self.shared(platform, policy: policy)
        guard shared.blocked.isEmpty else { return nil }
        let changes = ChangeContext(desired)
        // A moved pair whose record is clean and names the same Score is decided from its recorded components
        // alone (its reason, its workflows), the Score's id aside, which only makes the digest: one decision
        // per distinct set of recorded components, not 10,000 (records of one set share its storage, so the
        // comparison with the last one is mostly an identity check).
        var decided: [[String: String]: PlanItem] = [:]
        var last: (components: [String: String], item: PlanItem)?
        let unchanged = PairDecision.unchanged[Tier.platform.order]
        var items: [PlanItem] = []
        items.reserveCapacity(apps.count)
        for name in apps {
            guard let record = applied.pairs[PairKey(app: name, tier: .platform)], let previous = record.fingerprint else { return nil }
            func decide() -> PlanItem {
                var decider = PairDecision(app: DesiredApp(name: name, scorePath: previous.scorePath, scoreID: previous.scoreID),
                                           applied: applied, config: desired.config, now: now, changes: changes)
                return decider.decide(.platform, shared).item
            }
            guard !shared.steadyNames.isEmpty, !record.dirty else {
                items.append(decide())
                continue
            }
            let fingerprint = Fingerprint(shared: shared.steadyComponents, partial: shared.partialDigest,
                                          scorePath: previous.scorePath, scoreID: previous.scoreID)
            guard fingerprint.digest != previous.digest else {
                items.append(PlanItem(app: name, tier: .platform, action: .skip, reason: unchanged, fingerprint: fingerprint))
                continue
            }
            var item: PlanItem
            if let last, last.components == previous.shared {
                item = last.item
            } else if let known = decided[previous.shared] {
                item = known
            } else {
                item = decide()
                decided[previous.shared] = item
            }
            last = (previous.shared, item)
            item.app = name
            item.fingerprint = fingerprint
            items.append(item)
        }
        return items
    }

    /// A tier's judged workflows with the fingerprint components of its steady (runnable, not
    /// first-only, not manual) workflows.
    /// Computed once per tier (or product) and shared by its thousands of pairs.
    struct TierWorkflows {
        var steadyComponents: [String: String] = [:]
        var partialDigest = Fingerprint.partialDigest(of: [:])
        var blocked: [BlockedWorkflow] = []
        /// Workflows that run whenever the pair runs, in phase order.
        var steadyNames: [String] = []
        /// The same plus `first_deployment` ones, for a pair never applied.
        var firstNames: [String] = []
        /// Full name → the fingerprint components of that workflow alone, so that a pair whose Score did not
        /// change re-runs only the workflows whose own files changed.
        var own: [String: Set<String>] = [:]
        /// Full name → index of its phase in `PairDecision.phases`, blocked workflows included.
        var phases: [String: Int] = [:]
        /// Repository path → full name of each workflow of the tier (to name it in reasons).
        var names: [String: String] = [:]
        /// Blocked workflows that only await the platform team's approval.
        var awaitingApproval: Set<String> = []
    }

    static func shared(_ verdicts: [WorkflowPolicy.Verdict], policy: WorkflowPolicy) -> TierWorkflows {
        var tier = TierWorkflows()
        for verdict in verdicts {
            tier.phases[verdict.fullName] = PairDecision.phases.firstIndex(of: verdict.phase) ?? 1
            tier.names[verdict.source.path] = verdict.fullName
            guard verdict.runnable else { continue }
            var components: [String: String] = [:]
            policy.components(of: verdict, into: &components)
            tier.own[verdict.fullName] = Set(components.keys)
            if verdict.isSteady { tier.steadyComponents.merge(components) { $1 } }
        }
        tier.partialDigest = Fingerprint.partialDigest(of: tier.steadyComponents)
        tier.blocked = verdicts.compactMap { verdict in
            verdict.blockedBecause.map { BlockedWorkflow(workflow: verdict.fullName, reason: $0) }
        }
        tier.awaitingApproval = Set(verdicts.filter(\.awaitsApproval).map(\.fullName))
        tier.steadyNames = PairDecision.phaseOrdered(verdicts.filter { $0.runnable && $0.isSteady })
        tier.firstNames = PairDecision.phaseOrdered(verdicts.filter { $0.runnable && ($0.isSteady || $0.isFirstDeployment) })
        return tier
    }

    /// The application tier's generated workflow (provision, render, deliver — docs/ARCHITECTURE.md §2): a name
    /// no workflow file can take (a file name holds no '/').
    public static let generatedWorkflow = "generated/deploy"

    /// The application tier with its generated workflow: first in the deployment phase (after the app's own
    /// pre-deployment workflows, before its deployment and post-deployment ones), with the provisioner
    /// definitions the app's resources use and the delivery branch joining the fingerprint.
    static func withGeneratedWorkflow(_ tier: TierWorkflows, own: [WorkflowPolicy.Verdict], app: DesiredApp,
                                      delivery: AdminConfig.Delivery) -> TierWorkflows {
        var tier = tier
        tier.steadyComponents.merge(app.provisionerInputs) { $1 }
        tier.steadyComponents["delivery branch"] = delivery.branch  // digests hash values only, so the value names it
        tier.partialDigest = Fingerprint.partialDigest(of: tier.steadyComponents)
        tier.own[generatedWorkflow] = Set(app.provisionerInputs.keys).union(["delivery branch"])
        tier.phases[generatedWorkflow] = PairDecision.phases.firstIndex(of: .deployment)
        for (file, reason) in app.unapprovedProvisioners.sorted(by: { $0.key < $1.key }) {
            tier.blocked.append(BlockedWorkflow(workflow: file, reason: reason))
            tier.phases[file] = PairDecision.phases.firstIndex(of: .deployment)
        }
        let before = Set(own.filter { $0.runnable && $0.workflow?.phase == .preDeployment }.map(\.fullName))
        for keyPath in [\TierWorkflows.steadyNames, \TierWorkflows.firstNames] {
            let names = tier[keyPath: keyPath]
            let position = names.lastIndex(where: { before.contains($0) }).map { $0 + 1 } ?? 0
            tier[keyPath: keyPath].insert(generatedWorkflow, at: position)
        }
        return tier
    }

    /// Apps in the applied state whose Score file is gone leave it through their `destroy` workflows —
    /// unless more than `maxPrunePerPass` would go at once, which stops every prune of the pass.
    func prunes(desired: DesiredState, applied: AppliedState, policy: WorkflowPolicy) -> [PlanItem] {
        var goneKeys: Set<PairKey> = []
        for key in applied.pairs.keys where desired.apps.index(forKey: key.app) == nil { goneKeys.insert(key) }
        // A tier whose only workflows are `destroy` ones never ran, yet they run when the app goes.
        for (app, departed) in desired.departed where desired.apps.index(forKey: app) == nil {
            for (tier, workflows) in departed.workflows where workflows.contains(where: { $0.workflow?.phase == .destroy }) {
                if goneKeys.contains(where: { $0.app == app }) { goneKeys.insert(PairKey(app: app, tier: tier)) }
            }
        }
        let gone = goneKeys.sorted()
        let apps = Set(gone.map(\.app))
        guard !apps.isEmpty else { return [] }
        let limit = desired.config.maxPrunePerPass
        if apps.count > limit {
            let reason = "prune stopped: \(apps.count) apps lost their Score file, more than maxPrunePerPass (\(limit)); "
                + "restore the Score files or raise maxPrunePerPass"
            return gone.map { PlanItem(app: $0.app, tier: $0.tier, action: .blocked, reason: reason) }
        }
        return gone.map { key in
            let departed = desired.departed[key.app]
            let product = key.tier == .product ? departed?.product : nil
            let verdicts = (departed?.workflows[key.tier] ?? []).map { policy.judge($0, tier: key.tier, product: product) }
            let destroy = verdicts.filter { $0.workflow?.phase == .destroy && !($0.workflow?.triggers.contains(.manual) ?? false) }
            let reason = departed == nil
                ? "\(key.tier.rawValue) tier: the app's Score file was removed; the last applied tree is not available, "
                    + "so no destroy workflow is known"
                : "\(key.tier.rawValue) tier: the app's Score file was removed; its destroy workflows run"
            return PlanItem(app: key.app, tier: key.tier, action: .prune, reason: reason,
                            workflows: destroy.filter(\.runnable).map(\.fullName),
                            blocked: destroy.compactMap { verdict in
                                verdict.blockedBecause.map { BlockedWorkflow(workflow: verdict.fullName, reason: $0) }
                            })
        }
    }
}
