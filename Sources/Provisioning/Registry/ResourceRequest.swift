import Crypto
import Foundation

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
    /// The asking Score's metadata (a Go template's `.WorkloadMetadata`).
    public var workloadMetadata: ManifestValue = .map([])
    /// score-k8s's `.WorkloadServices`: the asking workload's name → `{ServiceName, Ports: {NAME: {Name, Port,
    /// TargetPort, Protocol}}}`, each port also under its number as text. Only the asking workload: the
    /// application tier's fingerprint holds its own Score alone (docs/ARCHITECTURE.md §3).
    public var workloadServices: ManifestValue = .map([])

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

    /// score-k8s's resource id: the shared `id`, else `<app>.<name>`.
    public var scoreId: String { id ?? "\(app).\(name)" }

    /// score-k8s's resource uid, `type.class#id` (`postgres.default#shop.db`).
    public var scoreUid: String { "\(type).\(self.class ?? "default")#\(scoreId)" }

    /// A UUID that names this resource for good (`.Guid`): derived from its identity (the key its state is
    /// kept under, without the provisioner), so the names a provisioner builds from it are the same on every
    /// machine and after the workdir is lost, and a preview names what the pass will. Not a secret: anyone who
    /// knows the app and resource names can compute it.
    public var guid: String {
        var bytes = Array(SHA256.hash(data: Data(("innominatus resource guid\u{0}" + legacyStateKey).utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: a name-based UUID of our own hash
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // the RFC 9562 variant
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.map(String.init).joined(separator: "-")
    }

    /// The key of what Go-template provisioners of `uri` share between resources and apps (`.Shared`): one
    /// map per provisioner, kept with the shared state (`shared/`), so a provisioner never reads another's.
    public static func sharedStateKey(provisioner uri: String) -> String { "shared/ " + uri }

    /// The document a template sees and a cmd provisioner gets on stdin (with `state` added).
    func context(state: ManifestValue) -> ManifestValue {
        .map([("type", .string(type)), ("class", .string(self.class ?? "default")), ("id", .string(id ?? name)),
              ("name", .string(name)), ("uid", .string(uid)), ("app", .string(app)), ("params", params),
              ("metadata", metadata), ("workload", workload), ("state", state)])
    }
}
