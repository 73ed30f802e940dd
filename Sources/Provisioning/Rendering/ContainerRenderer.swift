import Crypto
import Foundation
import Specs

/// Builds one container's spec, and the ConfigMaps, Secret keys and volumes its files and variables need.
///
/// A variable or file that received a secret output goes into a Secret and is referenced from there, so
/// no secret value is ever written into a Deployment or a ConfigMap.
struct ContainerRenderer {
    var app: String
    var file: ScoreSource
    var resolver: PlaceholderResolver
    var sources: SourceFiles
    var resources: [String: ProvisionedResource]

    /// What rendering a container adds besides the container itself.
    struct Extras {
        var secretData: [String: String] = [:]
        var objects: [ManifestValue] = []
        var volumes: [String: ManifestValue] = [:]
    }

    func render(_ name: String, _ container: ScoreWorkload.Container, extras: inout Extras,
                labels: ManifestValue) throws(ProvisioningError) -> ManifestValue {
        var spec: [(String, ManifestValue)] = [("name", .string(name)), ("image", .string(container.image))]
        // Score leaves command and args unexpanded.
        if let command = container.command { spec.append(("command", .list(command.map(ManifestValue.string)))) }
        if let args = container.args { spec.append(("args", .list(args.map(ManifestValue.string)))) }
        var env: [ManifestValue] = []
        for key in container.variables.keys.sorted() {
            let resolved = try resolver.resolve(container.variables[key]!, field: file.at(["containers", name, "variables", key]))
            if resolved.isSecret {
                let dataKey = KubernetesName.dataKey("\(name).\(key)")
                extras.secretData[dataKey] = resolved.text
                env.append(.map([("name", .string(key)), ("valueFrom", .map([("secretKeyRef", .map([
                    ("name", .string("\(app)-secrets")), ("key", .string(dataKey))]))]))]))
            } else {
                env.append(.map([("name", .string(key)), ("value", .string(resolved.text))]))
            }
        }
        if !env.isEmpty { spec.append(("env", .list(env))) }
        if let resources = container.resources {
            var entries: [(String, ManifestValue)] = []
            for (key, quantities) in [("limits", resources.limits), ("requests", resources.requests)] {
                guard let quantities else { continue }
                var values: [(String, ManifestValue)] = []
                if let cpu = quantities.cpu { values.append(("cpu", .string(cpu))) }
                if let memory = quantities.memory { values.append(("memory", .string(memory))) }
                if !values.isEmpty { entries.append((key, .map(values))) }
            }
            if !entries.isEmpty { spec.append(("resources", .map(entries))) }
        }
        if let probe = container.livenessProbe { spec.append(("livenessProbe", Self.probe(probe))) }
        if let probe = container.readinessProbe { spec.append(("readinessProbe", Self.probe(probe))) }
        var mounts: [ManifestValue] = []
        for target in container.files.keys.sorted() {
            mounts.append(try renderFile(target, container.files[target]!, container: name, extras: &extras, labels: labels))
        }
        for target in container.volumes.keys.sorted() {
            mounts.append(try renderVolume(target, container.volumes[target]!, field: file.at(["containers", name, "volumes", target, "source"]),
                                           extras: &extras))
        }
        if !mounts.isEmpty { spec.append(("volumeMounts", .list(mounts))) }
        return .map(spec)
    }

    private func renderFile(_ target: String, _ scoreFile: ScoreWorkload.File, container: String, extras: inout Extras,
                            labels: ManifestValue) throws(ProvisioningError) -> ManifestValue {
        let field = file.at(["containers", container, "files", target])
        let digest = SHA256.hash(data: Data("\(container)\u{0}\(target)".utf8)).map { String(format: "%02x", $0) }.joined()
        let objectName = KubernetesName.dns1123("\(app)-\(container)-file-\(digest.prefix(8))")
        var text: String?
        var binary: String?
        switch scoreFile.content {
        case .text(let content): text = content
        case .binary(let base64): binary = base64
        case .source(let source):
            let data = try sources.read(source, field: file.at(["containers", container, "files", target, "source"]))
            if let decoded = String(data: data, encoding: .utf8) { text = decoded } else { binary = data.base64EncodedString() }
        }
        var isSecret = false
        if let raw = text, !scoreFile.noExpand {
            let resolved = try resolver.resolve(raw, field: field)
            text = resolved.text
            isSecret = resolved.isSecret
        }
        var item: [(String, ManifestValue)] = [("key", .string("content")), ("path", .string("content"))]
        if let mode = scoreFile.mode, let octal = Int(mode, radix: 8) { item.append(("mode", .int(octal))) }
        let metadata = ManifestValue.map([("name", .string(objectName)), ("labels", labels)])
        let dataField: (String, ManifestValue) = binary.map { (isSecret ? "data" : "binaryData", .map([("content", .string($0))])) }
            ?? (isSecret ? "stringData" : "data", .map([("content", .string(text ?? ""))]))
        if isSecret {
            extras.objects.append(.map([("apiVersion", .string("v1")), ("kind", .string("Secret")), ("metadata", metadata),
                                        ("type", .string("Opaque")), dataField]))
            extras.volumes["file-\(digest.prefix(8))"] = .map([("secret", .map([("secretName", .string(objectName)),
                                                                                 ("items", .list([.map(item)]))]))])
        } else {
            extras.objects.append(.map([("apiVersion", .string("v1")), ("kind", .string("ConfigMap")), ("metadata", metadata), dataField]))
            extras.volumes["file-\(digest.prefix(8))"] = .map([("configMap", .map([("name", .string(objectName)),
                                                                                   ("items", .list([.map(item)]))]))])
        }
        return .map([("name", .string("file-\(digest.prefix(8))")), ("mountPath", .string(target)),
                     ("subPath", .string("content")), ("readOnly", .bool(true))])
    }

    private func renderVolume(_ target: String, _ volume: ScoreWorkload.Volume, field: String,
                              extras: inout Extras) throws(ProvisioningError) -> ManifestValue {
        let source = try resolver.resolve(volume.source, field: field).text
        let volumeName = KubernetesName.dns1123("volume-\(source)")
        if let claim = resources[source]?.outputs["claimName"]?.string {
            extras.volumes[volumeName] = .map([("persistentVolumeClaim", .map([("claimName", .string(claim))]))])
        } else if resources[source] != nil {
            extras.volumes[volumeName] = .map([("emptyDir", .map([]))])
        } else {
            throw ProvisioningError("\(field): the volume source '\(volume.source)' is not a resource; write source: ${resources.NAME} "
                                    + "naming a resource of type volume")
        }
        var mount: [(String, ManifestValue)] = [("name", .string(volumeName)), ("mountPath", .string(target))]
        // Kubernetes takes a relative subPath; Score files often write it absolute.
        if let path = volume.path?.drop(while: { $0 == "/" }), !path.isEmpty { mount.append(("subPath", .string(String(path)))) }
        if volume.readOnly { mount.append(("readOnly", .bool(true))) }
        return .map(mount)
    }

    static func probe(_ probe: ScoreWorkload.Probe) -> ManifestValue {
        if let http = probe.httpGet {
            var entries: [(String, ManifestValue)] = []
            if let host = http.host { entries.append(("host", .string(host))) }
            entries.append(("path", .string(http.path)))
            entries.append(("port", .int(http.port)))
            if let scheme = http.scheme { entries.append(("scheme", .string(scheme.uppercased()))) }
            if !http.headers.isEmpty {
                entries.append(("httpHeaders", .list(http.headers.map { .map([("name", .string($0.name)), ("value", .string($0.value))]) })))
            }
            return .map([("httpGet", .map(entries))])
        }
        return .map([("exec", .map([("command", .list((probe.exec ?? []).map(ManifestValue.string)))]))])
    }
}
