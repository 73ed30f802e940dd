extension AdminConfig {
    /// What the admin config says of one product workflow or one repository provisioners file as it is now.
    /// The one rule of approval and digest pins (docs/ARCHITECTURE.md §3 policy, §15): the planner, `validate DIR`,
    /// workflow discovery and the provisioner policy each turn this state into their own words.
    public enum Approval: Sendable, Hashable {
        /// Listed without a pin: approved at any content.
        case approved
        /// Listed, and the pin (`digest`) still matches what runs.
        case pinned(digest: String)
        /// Listed, but what runs changed since: `pinned` was approved, `now` is the same digest of it today,
        /// in the pin's own form (a `sha256:` digest, or a bare blob id). Blocked until approved again.
        case changed(pinned: String, now: String)
        /// Not in the allow-list: blocked until the platform team approves it.
        case notListed

        /// Whether it may run (a workflow) or be used (a provisioners file).
        public var allows: Bool {
            switch self {
            case .approved, .pinned: true
            case .changed, .notListed: false
            }
        }
    }

    /// The approval of the product workflow `product/name` whose file lies at `path` with git blob id `blobID`
    /// and whose `inputs` name the files `inputs` (path → blob id): a `sha256:` pin covers the file and its
    /// inputs, an older pin (the file's blob id alone) the file only (`WorkflowPin`).
    public func approval(ofWorkflow product: String, _ name: String, path: String, blobID: String,
                         inputs: [String: String]) -> Approval {
        guard let entry = allowedProductWorkflows.first(where: { $0.product == product && $0.name == name }) else {
            return .notListed
        }
        guard let digest = entry.digest else { return .approved }
        if WorkflowPin.matches(digest, path: path, blobID: blobID, inputs: inputs) { return .pinned(digest: digest) }
        return .changed(pinned: digest, now: WorkflowPin.current(for: digest, path: path, blobID: blobID, inputs: inputs))
    }

    /// The approval of the repository provisioners file at `path` (`provisioners/NAME.yaml`) whose git blob
    /// id is `blobID`: its pin, when it has one, is that blob id.
    public func approval(ofProvisioners path: String, blobID: String) -> Approval {
        guard let entry = allowedProvisioners.first(where: { $0.path == path }) else { return .notListed }
        guard let digest = entry.digest else { return .approved }
        return digest == blobID ? .pinned(digest: digest) : .changed(pinned: digest, now: blobID)
    }
}
