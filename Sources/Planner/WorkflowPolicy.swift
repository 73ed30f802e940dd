import Specs

/// The admin config's rules applied to one workflow of one tier: whether it may run at all, and
/// which of its files join a fingerprint. Enforced here, where the plan is made, so that nothing
/// unapproved ever reaches the executor.
struct WorkflowPolicy {
    let config: AdminConfig
    let stepTypeFiles: [String: String]

    /// A workflow with its verdict.
    struct Verdict {
        var fullName: String
        var source: DesiredWorkflow
        var workflow: Workflow?
        /// Why it may not run; nil when it may.
        var blockedBecause: String?
        /// Blocked only because the platform team has not approved it (or not this content): such a
        /// product tier does not gate the app's application tier (docs/ARCHITECTURE.md §3, gates).
        var awaitsApproval = false

        var runnable: Bool { blockedBecause == nil }

        var phase: Workflow.Phase { workflow?.phase ?? .deployment }

        /// Runs whenever its pair runs (not only first, never manual, never in `destroy`).
        var isSteady: Bool {
            guard let workflow, workflow.phase != .destroy else { return false }
            return workflow.triggers.contains(.allDeployments) || workflow.triggers.contains(.productDeployment)
        }

        /// Runs the first time the app is applied.
        var isFirstDeployment: Bool {
            guard let workflow, workflow.phase != .destroy else { return false }
            return workflow.triggers.contains(.firstDeployment)
        }
    }

    func judge(_ source: DesiredWorkflow, tier: Tier, product: String? = nil) -> Verdict {
        let fullName = product.map { "\($0)/\(source.name)" } ?? source.name
        var verdict = Verdict(fullName: fullName, source: source, workflow: source.workflow, blockedBecause: nil)
        guard let workflow = source.workflow else {
            if case .invalid(let errors) = source.content {
                verdict.blockedBecause = "invalid workflow file: " + errors.map(\.description).joined(separator: "; ")
            }
            return verdict
        }
        if tier == .product, let product {
            let approve = "approve with: innominatus approve \(fullName))"
            // The rule is the admin config's (docs/ARCHITECTURE.md §15); here it becomes the plan's reason.
            switch config.approval(ofWorkflow: product, source.name, path: source.path, blobID: source.blobID,
                                   inputs: source.inputs) {
            case .approved, .pinned:
                break
            case .notListed:
                verdict.blockedBecause = "not in allowedProductWorkflows (" + approve
                verdict.awaitsApproval = true
                return verdict
            case .changed(let digest, let now):
                let inputs = source.inputs.keys.filter { $0 != source.path }.sorted()
                let covered = WorkflowPin.isBlobID(digest) || inputs.isEmpty ? ""
                    : "the workflow file or its inputs (" + inputs.prefix(3).joined(separator: ", ")
                        + (inputs.count > 3 ? " and \(inputs.count - 3) more" : "") + "): "
                verdict.blockedBecause = "changed since approval: \(covered)approved \(digest), now \(now) (re-" + approve
                verdict.awaitsApproval = true
                return verdict
            }
        }
        if let max = config.maxStepsPerWorkflow, workflow.steps.count > max {
            verdict.blockedBecause = "has \(workflow.steps.count) steps, more than maxStepsPerWorkflow (\(max))"
            return verdict
        }
        for step in workflow.steps {
            let type = step.type.description
            if case .plugin(let name) = step.type, config.stepTypes[name] == nil {
                verdict.blockedBecause = "step '\(step.name)' uses the step type '\(name)', which is not registered under stepTypes"
                return verdict
            }
            if !config.allows(stepType: type, in: tier) {
                verdict.blockedBecause = "step '\(step.name)' has type '\(type)', which allowedStepTypes does not allow "
                    + "in the \(tier.rawValue) tier"
                return verdict
            }
            for entry in step.env {
                guard case .fromEnv(let variable) = entry.value.source,
                      !(config.secretEnv[tier] ?? []).contains(variable) else { continue }
                verdict.blockedBecause = "step '\(step.name)' reads '\(variable)' from the reconciler's environment, which "
                    + "secretEnv does not allow in the \(tier.rawValue) tier"
                return verdict
            }
        }
        return verdict
    }

    /// The components a runnable workflow adds to its pair's fingerprint: its file, its inputs, and the
    /// definitions (and command files) of the plugins its steps use.
    func components(of verdict: Verdict, into shared: inout [String: String]) {
        shared[verdict.source.path] = verdict.source.blobID
        for (path, id) in verdict.source.inputs { shared[path] = id }
        for step in verdict.workflow?.steps ?? [] {
            guard case .plugin(let name) = step.type, let definition = config.stepTypes[name] else { continue }
            var text = definition.command.joined(separator: "\u{1f}")
            if let timeout = definition.timeout { text += "\u{1e}\(timeout)" }
            if let file = stepTypeFiles[name] { text += "\u{1e}\(file)" }
            shared[Fingerprint.stepTypePrefix + name] = text
        }
    }
}
