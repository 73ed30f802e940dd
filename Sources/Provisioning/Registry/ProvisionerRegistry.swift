/// The provisioners an app's resources are matched against: a repository's own definitions first,
/// then the built-in defaults, so a platform team overrides a default by declaring the same type.
public struct ProvisionerRegistry: Sendable {
    public var definitions: [ProvisionerDefinition]

    public init(_ definitions: [ProvisionerDefinition]) {
        self.definitions = definitions
    }

    /// The repository's definitions (from `<root>/provisioners`, when that folder exists) before the defaults.
    public static func forRepository(root: String?) throws(ProvisioningError) -> ProvisionerRegistry {
        var definitions: [ProvisionerDefinition] = []
        if let root { definitions += try ProvisionerLoader().load(directory: root + "/provisioners") }
        return ProvisionerRegistry(definitions + DefaultProvisioners.definitions)
    }

    /// The first definition serving the resource.
    public func match(type: String, class resourceClass: String?, id: String?) -> ProvisionerDefinition? {
        definitions.first { $0.matches(type: type, class: resourceClass, id: id) }
    }

    /// The repository files of the provisioners `resources` use, sorted: an input of the application tier's
    /// fingerprint (ARCHITECTURE.md §3), so editing a provisioner re-renders exactly the apps that use it.
    public func repositoryFiles(for resources: [String: ResourceRequest]) throws(ProvisioningError) -> [String] {
        Set(try match(resources).values.flatMap(\.repositoryFiles)).sorted()
    }

    /// Matches every resource, or fails once naming each unmatched one and listing what exists.
    public func match(_ resources: [String: ResourceRequest]) throws(ProvisioningError) -> [String: ProvisionerDefinition] {
        var matched: [String: ProvisionerDefinition] = [:]
        var missing: [String] = []
        for name in resources.keys.sorted() {
            let resource = resources[name]!
            if let definition = match(type: resource.type, class: resource.class, id: resource.id) {
                matched[name] = definition
            } else {
                missing.append("resources.\(name) (type \(resource.type), class \(resource.class ?? "default"), id \(resource.id ?? "none"))")
            }
        }
        guard missing.isEmpty else {
            let available = definitions.map { "  - " + $0.summary }.joined(separator: "\n")
            throw ProvisioningError("no provisioner matches \(missing.joined(separator: "; ")); add one under provisioners/ "
                                    + "or use a type that exists. Provisioners:\n" + available)
        }
        return matched
    }
}
