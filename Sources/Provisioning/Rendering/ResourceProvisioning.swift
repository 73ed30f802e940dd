import Specs

/// Provisions every resource of a workload in dependency order: a resource whose params reference
/// another's outputs (`${resources.db.host}`) is provisioned after it, and a cycle is an error.
public struct ResourceProvisioning: Sendable {
    public var registry: ProvisionerRegistry
    public var random: @Sendable (Template.RandomKind) -> String
    /// The working directory of `cmd://` provisioners (the repository root).
    public var root: String?
    /// False for a preview: `cmd://` provisioners are not run (`ProvisionedResource.deferred`).
    public var runsCommands: Bool
    /// What the built-in `environment` provisioner reads (`ProvisionedResource.environment`).
    public var environment: [String: String] = [:]
    /// Random text of Go templates (`randAlphaNum`…): the system's generator unless a test fixes it.
    public var randomText: @Sendable (_ alphabet: [Character], _ count: Int) -> String = GoTemplateFunctions.systemRandom

    public init(registry: ProvisionerRegistry, random: @escaping @Sendable (Template.RandomKind) -> String = RandomValue.generate,
                root: String? = nil, runsCommands: Bool = true) {
        self.registry = registry
        self.random = random
        self.root = root
        self.runsCommands = runsCommands
    }

    /// The provisioned resources by Score name; `states` is read for previous state and updated.
    public func provision(_ workload: ScoreWorkload, file: ScoreSource,
                          states: inout [String: ManifestValue]) throws(ProvisioningError) -> [String: ProvisionedResource] {
        let app = workload.metadata.name
        var requests: [String: ResourceRequest] = [:]
        let ports = (workload.service?.ports ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, ManifestValue.int($0.value.port)) }
        let asking = ManifestValue.map([("name", .string(app)), ("ports", .map(ports))])
        let services = Self.workloadServices(workload)
        let workloadMetadata = PlaceholderResolver(workload: workload, resources: [:]).metadata
        for (name, resource) in workload.resources {
            requests[name] = ResourceRequest(name: name, type: resource.type, class: resource.class, id: resource.id, app: app,
                                             params: resource.params.map(ManifestValue.init) ?? .map([]),
                                             metadata: resource.metadata.map(ManifestValue.init) ?? .map([]))
            requests[name]?.workload = asking
            requests[name]?.workloadServices = services
            requests[name]?.workloadMetadata = workloadMetadata
        }
        let definitions = try registry.match(requests)
        var provisioned: [String: ProvisionedResource] = [:]
        for name in try Self.order(requests, file: file) {
            var request = requests[name]!
            let resolver = PlaceholderResolver(workload: workload, resources: provisioned)
            request.params = try resolver.resolve(request.params, field: file.at(["resources", name, "params"]))
            let definition = definitions[name]!
            let key = request.stateKey(provisioner: definition.uri)
            var previous = states[key]
            if previous == nil, definition.isBuiltIn, let legacy = states.removeValue(forKey: request.legacyStateKey) {
                previous = legacy  // state written before keys named their provisioner: moved to the built-in's key
            }
            var provisioner = Provisioner(definition, random: random, workingDirectory: root, runsCommands: runsCommands)
            provisioner.randomText = randomText
            let sharedKey = ResourceRequest.sharedStateKey(provisioner: definition.uri)
            var result = try provisioner.provision(request, state: previous ?? .map([]), shared: states[sharedKey] ?? .map([]))
            if let shared = result.shared, shared != (states[sharedKey] ?? .map([])) { states[sharedKey] = shared }
            if definition.isBuiltIn, request.type == DefaultProvisioners.environmentType { result.environment = environment }
            states[key] = result.state
            provisioned[name] = result
        }
        return provisioned
    }

    /// score-k8s's `.WorkloadServices` for the asking workload: its Service (named after the app, as the
    /// renderer names it) and ports by name and by number.
    static func workloadServices(_ workload: ScoreWorkload) -> ManifestValue {
        let app = workload.metadata.name
        var ports: [(String, ManifestValue)] = []
        let declared = (workload.service?.ports ?? [:]).sorted { $0.key < $1.key }
        for (name, port) in declared {
            ports.append((name, .map([("Name", .string(name)), ("Port", .int(port.port)), ("TargetPort", .int(port.targetPort ?? port.port)),
                                      ("Protocol", .string((port.protocolName ?? "TCP").uppercased()))])))
        }
        for (name, port) in declared where !ports.contains(where: { $0.0 == String(port.port) }) {
            ports.append((String(port.port), ports.first { $0.0 == name }!.1))
        }
        return .map([(app, .map([("ServiceName", .string(app)), ("Ports", .map(ports))]))])
    }

    /// Names in an order where every resource comes after those its params reference; ties by name.
    static func order(_ requests: [String: ResourceRequest], file: ScoreSource) throws(ProvisioningError) -> [String] {
        var dependencies: [String: Set<String>] = [:]
        for (name, request) in requests {
            let references = PlaceholderResolver.resourceReferences(in: request.params)
            if let unknown = references.subtracting(requests.keys).sorted().first {
                throw ProvisioningError("\(file.at(["resources", name, "params"])) refers to the resource '\(unknown)', which is not declared")
            }
            dependencies[name] = references
        }
        var ordered: [String] = []
        var done: Set<String> = []
        while done.count < requests.count {
            let ready = requests.keys.sorted().filter { !done.contains($0) && dependencies[$0]!.isSubset(of: done) }
            guard !ready.isEmpty else {
                let stuck = requests.keys.sorted().filter { !done.contains($0) }
                throw ProvisioningError("\(file.at(["resources"])): the params of the resources \(stuck.joined(separator: ", ")) refer to each other "
                                        + "in a cycle; break it so one can be provisioned first")
            }
            ordered += ready
            done.formUnion(ready)
        }
        return ordered
    }
}
