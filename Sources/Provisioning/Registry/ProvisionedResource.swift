/// What a provisioner returned for one resource.
public struct ProvisionedResource: Sendable, Hashable {
    public var state: ManifestValue
    /// A map; `${resources.NAME.KEY}` reads from it.
    public var outputs: ManifestValue
    /// Output keys (top level) whose values must only reach the cluster through Secrets.
    public var secrets: Set<String>
    /// Kubernetes objects the resource needs (a database StatefulSet, a PVC, an Ingress…).
    public var manifests: [ManifestValue]
    /// A `cmd://` provisioner that was not run (a preview): its outputs are known only when it runs, so
    /// every `${resources.NAME.KEY}` of it reads `atApply`, and it adds no manifests.
    public var deferred = false
    /// An `environment` resource of the built-in provisioner: `${resources.NAME.KEY}` reads KEY from these
    /// values (the admin config's `workflowPolicies.environment`, or the process environment for
    /// `innominatus render`) when its params do not set it. Kept out of `outputs`, so a note never lists
    /// the environment; an unset KEY is an error naming it.
    public var environment: [String: String]?
    /// A Go-template provisioner's `.Shared` after it ran: kept under `ResourceRequest.sharedStateKey`.
    public var shared: ManifestValue?

    /// What a deferred resource's outputs show.
    public static let atApply = "(at apply)"

    public init(state: ManifestValue, outputs: ManifestValue, secrets: Set<String>, manifests: [ManifestValue]) {
        self.state = state
        self.outputs = outputs
        self.secrets = secrets
        self.manifests = manifests
    }

    /// A `cmd://` resource not provisioned: its previous state kept, nothing known of its outputs.
    public static func deferred(state: ManifestValue) -> ProvisionedResource {
        var resource = ProvisionedResource(state: state, outputs: .map([]), secrets: [], manifests: [])
        resource.deferred = true
        return resource
    }
}
