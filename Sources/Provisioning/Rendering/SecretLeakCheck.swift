import Specs

/// A last check over the rendered objects: no secret output's value may appear in anything but a Secret,
/// whoever put it there (the renderer, or a provisioner's own manifests). Rendering fails rather than
/// write a password into a Deployment, a ConfigMap or an Ingress.
struct SecretLeakCheck {
    /// Values this short are skipped: they would match by accident and could not be told from other text.
    static let minimumLength = 8

    static func check(_ objects: [ManifestValue], resources: [String: ProvisionedResource], file: ScoreSource) throws(ProvisioningError) {
        var secrets: [(resource: String, key: String, value: String)] = []
        for name in resources.keys.sorted() {
            let resource = resources[name]!
            for key in resource.secrets.sorted() {
                guard let value = resource.outputs[key]?.text, value.count >= minimumLength else { continue }
                secrets.append((name, key, value))
            }
        }
        guard !secrets.isEmpty else { return }
        for object in objects where object["kind"]?.string != "Secret" {
            let text = YAMLEmitter.emit(object)
            for secret in secrets where text.contains(secret.value) || text.contains(JSONString.quote(secret.value).dropFirst().dropLast()) {
                let kind = object["kind"]?.string ?? "object"
                let name = object["metadata"]?["name"]?.string ?? "unnamed"
                throw ProvisioningError("\(file.file): the secret output resources.\(secret.resource).\(secret.key) would be written "
                                        + "into the \(kind) '\(name)'; secrets may only reach the cluster through a Secret, so "
                                        + "reference it from a Secret (secretKeyRef) in the provisioner's manifests")
            }
        }
    }
}
