/// One Score resource as a provisioner sees it, after the placeholders in its params were resolved.
public struct ResourceRequest: Sendable, Hashable {
    /// The resource's name in the Score file.
    public var name: String
    public var type: String
    public var `class`: String?
    public var id: String?
    /// A name unique in the cluster namespace, DNS-1123 safe: `<app>-<name>`, or the shared `id`.
    public var uid: String
    public var app: String
    public var params: ManifestValue
    public var metadata: ManifestValue
    /// The workload that asks: `{name, ports: {NAME: port number}}` from its Score's `service.ports`, so a
    /// provisioner can turn a named port into the Service's port number (`workload.ports[params.port]`).
    public var workload: ManifestValue = .map([])

    public init(name: String, type: String, class resourceClass: String? = nil, id: String? = nil, app: String,
                params: ManifestValue = .map([]), metadata: ManifestValue = .map([])) {
        self.name = name
        self.type = type
        self.class = resourceClass
        self.id = id
        self.app = app
        self.uid = KubernetesName.dns1123(id ?? "\(app)-\(name)")
        self.params = params
        self.metadata = metadata
    }

    /// The key of this resource's state as the provisioner `uri` keeps it: shared resources (with an `id`)
    /// share state, and each provisioner has its own, so a provisioner matched in place of another never
    /// receives what the other generated (its passwords).
    public func stateKey(provisioner uri: String) -> String { legacyStateKey + " " + uri }

    /// The key innominatus used before state was kept per provisioner: still read, once, by the built-in
    /// provisioners (`ResourceProvisioning`), so existing apps keep their generated passwords.
    public var legacyStateKey: String { id.map { "shared/\(type)/\($0)" } ?? "\(app)/\(name)" }

    /// The document a template sees and a cmd provisioner gets on stdin (with `state` added).
    func context(state: ManifestValue) -> ManifestValue {
        .map([("type", .string(type)), ("class", .string(self.class ?? "default")), ("id", .string(id ?? name)),
              ("name", .string(name)), ("uid", .string(uid)), ("app", .string(app)), ("params", params),
              ("metadata", metadata), ("workload", workload), ("state", state)])
    }
}
