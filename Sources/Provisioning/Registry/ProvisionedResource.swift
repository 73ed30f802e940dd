/// What a provisioner returned for one resource.
public struct ProvisionedResource: Sendable, Hashable {
    public var state: ManifestValue
    /// A map; `${resources.NAME.KEY}` reads from it.
    public var outputs: ManifestValue
    /// Output keys (top level) whose values must only reach the cluster through Secrets.
    public var secrets: Set<String>
    /// Kubernetes objects the resource needs (a database StatefulSet, a PVC, an Ingress…).
    public var manifests: [ManifestValue]

    public init(state: ManifestValue, outputs: ManifestValue, secrets: Set<String>, manifests: [ManifestValue]) {
        self.state = state
        self.outputs = outputs
        self.secrets = secrets
        self.manifests = manifests
    }
}
