import Specs

/// Turns a provisioned workload into Kubernetes objects: a Deployment (or a StatefulSet when the
/// annotation `innominatus.dev/workload-kind: StatefulSet` asks for one), a Service for `service.ports`,
/// ConfigMaps for files, one Secret for secret variables, then each resource's own manifests.
///
/// Everything iterates in sorted or declared order, never a dictionary's order, so the same input
/// renders byte-identical YAML and an unchanged app is never re-delivered.
public struct ManifestRenderer: Sendable {
    public static let workloadKindAnnotation = "innominatus.dev/workload-kind"

    public var commit: String

    public init(commit: String) { self.commit = commit }

    public func render(_ workload: ScoreWorkload, file: ScoreSource, resources: [String: ProvisionedResource],
                       sources: SourceFiles) throws(ProvisioningError) -> RenderedApp {
        let app = workload.metadata.name
        let kind = workload.metadata.annotations[Self.workloadKindAnnotation] ?? "Deployment"
        guard kind == "Deployment" || kind == "StatefulSet" else {
            throw ProvisioningError("\(file.at(["metadata", "annotations", Self.workloadKindAnnotation])) is '\(kind)'; use Deployment or StatefulSet")
        }
        var labels: [(String, ManifestValue)] = [("app.kubernetes.io/name", .string(app))]
        if let product = workload.metadata.product { labels.append(("app.kubernetes.io/part-of", .string(product))) }
        labels.append(("app.kubernetes.io/managed-by", .string("innominatus")))
        labels.append(("innominatus.dev/commit", .string(commit)))
        let labelValue = ManifestValue.map(labels)
        let selector = ManifestValue.map([("app.kubernetes.io/name", .string(app))])

        let resolver = PlaceholderResolver(workload: workload, resources: resources)
        let containers = ContainerRenderer(app: app, file: file, resolver: resolver, sources: sources, resources: resources)
        var extras = ContainerRenderer.Extras()
        let startup = StartupOrder(workload.containers)
        var initSpecs: [ManifestValue] = []
        for name in startup.initContainers {
            var spec = try containers.render(name, workload.containers[name]!, extras: &extras, labels: labelValue)
            if startup.sidecars.contains(name) { spec = spec.setting("restartPolicy", to: .string("Always")) }
            initSpecs.append(spec)
        }
        var containerSpecs: [ManifestValue] = []
        for name in workload.containers.keys.sorted() where !startup.initContainers.contains(name) {
            containerSpecs.append(try containers.render(name, workload.containers[name]!, extras: &extras, labels: labelValue))
        }
        var podSpec: [(String, ManifestValue)] = []
        if !initSpecs.isEmpty { podSpec.append(("initContainers", .list(initSpecs))) }
        podSpec.append(("containers", .list(containerSpecs)))
        if !extras.volumes.isEmpty {
            podSpec.append(("volumes", .list(extras.volumes.keys.sorted().map { name in
                .map([("name", .string(name))] + (extras.volumes[name]!.entries ?? []))
            })))
        }
        var metadata: [(String, ManifestValue)] = [("name", .string(app)), ("labels", labelValue)]
        let annotations = workload.metadata.annotations
        if !annotations.isEmpty { metadata.append(("annotations", .sortedMap(annotations.mapValues { .string($0) }))) }
        var spec: [(String, ManifestValue)] = [("replicas", .int(1))]
        if kind == "StatefulSet" { spec.append(("serviceName", .string(app))) }
        spec += [("selector", .map([("matchLabels", selector)])),
                 ("template", .map([("metadata", .map([("labels", labelValue)])), ("spec", .map(podSpec))]))]

        var objects: [ManifestValue] = []
        if !extras.secretData.isEmpty {
            objects.append(.map([("apiVersion", .string("v1")), ("kind", .string("Secret")),
                                 ("metadata", .map([("name", .string("\(app)-secrets")), ("labels", labelValue)])),
                                 ("type", .string("Opaque")),
                                 ("stringData", .sortedMap(extras.secretData.mapValues { .string($0) }))]))
        }
        objects += extras.objects
        objects.append(.map([("apiVersion", .string("apps/v1")), ("kind", .string(kind)), ("metadata", .map(metadata)),
                             ("spec", .map(spec))]))
        if let service = workload.service, !service.ports.isEmpty {
            let ports = service.ports.keys.sorted().map { name -> ManifestValue in
                let port = service.ports[name]!
                return .map([("name", .string(name)), ("port", .int(port.port)),
                             ("targetPort", .int(port.targetPort ?? port.port)),
                             ("protocol", .string((port.protocolName ?? "TCP").uppercased()))])
            }
            objects.append(.map([("apiVersion", .string("v1")), ("kind", .string("Service")),
                                 ("metadata", .map([("name", .string(app)), ("labels", labelValue)])),
                                 ("spec", .map([("selector", selector), ("ports", .list(ports))]))]))
        }
        for name in resources.keys.sorted() { objects += resources[name]!.manifests }
        try SecretLeakCheck.check(objects, resources: resources, file: file)
        return RenderedApp(app: app, objects: objects)
    }
}
