import Specs

/// The provisioners an app's resources are matched against: a repository's own definitions first,
/// then the built-in defaults, so a platform team overrides a default by declaring the same type.
/// Definitions of files the admin config does not approve are kept only to say what they would have served.
public struct ProvisionerRegistry: Sendable {
    public var definitions: [ProvisionerDefinition]

    public init(_ definitions: [ProvisionerDefinition]) {
        self.definitions = definitions
    }

    /// One repository provisioners file, read: its path in the repository, its git blob id, its definitions.
    public struct File: Sendable {
        public var path: String
        public var blobID: String
        public var definitions: [ProvisionerDefinition]

        public init(path: String, blobID: String, definitions: [ProvisionerDefinition]) {
            self.path = path
            self.blobID = blobID
            self.definitions = definitions
        }
    }

    /// The repository's files, judged by `policy`, before the defaults.
    public init(files: [File], policy: ProvisionerPolicy) {
        let judged = files.flatMap { policy.judge($0.definitions, file: $0.path, blobID: $0.blobID) }
        self.init(judged + DefaultProvisioners.definitions)
    }

    /// The repository's definitions (from `<root>/provisioners`, when that folder exists) judged by `policy`,
    /// before the defaults. A file the policy does not approve is not used, so its parse errors do not count.
    public static func forRepository(root: String?, policy: ProvisionerPolicy) throws(ProvisioningError) -> ProvisionerRegistry {
        guard let root else { return ProvisionerRegistry(files: [], policy: policy) }
        var files: [File] = []
        for file in ProvisionerLoader().files(in: root + "/provisioners") {
            let path = "provisioners/" + file.name
            guard let bytes = file.bytes else {
                guard !policy.lists(path) else { throw ProvisioningError("\(path): cannot be read; check its permissions") }
                continue
            }
            let blobID = GitBlobID.of(bytes)
            do throws(ProvisioningError) {
                files.append(File(path: path, blobID: blobID,
                                  definitions: try ProvisionerLoader().load(bytes, file: path, folder: root + "/provisioners")))
            } catch {
                if policy.refusal(ofFile: path, blobID: blobID) == nil { throw error }
            }
        }
        return ProvisionerRegistry(files: files, policy: policy)
    }

    /// The first usable definition serving the resource (unapproved files skipped; a refused one is returned).
    public func match(type: String, class resourceClass: String?, id: String?) -> ProvisionerDefinition? {
        definitions.first { definition in
            if case .unapproved = definition.standing { return false }
            return definition.matches(type: type, class: resourceClass, id: id)
        }
    }

    /// The unapproved files whose definitions would have served the resource before the one that does:
    /// path → why it is not used, for the application tier's note.
    public func passedOver(type: String, class resourceClass: String?, id: String?) -> [String: String] {
        var files: [String: String] = [:]
        for definition in definitions {
            guard case .unapproved(let file, let reason) = definition.standing else {
                if definition.matches(type: type, class: resourceClass, id: id) { break }
                continue
            }
            if definition.matches(type: type, class: resourceClass, id: id) { files[file] = reason }
        }
        return files
    }

    /// Every repository file not used, with why, in file order: what `render` warns about.
    public var unapprovedFiles: [(file: String, reason: String)] {
        var seen: Set<String> = []
        return definitions.compactMap { definition in
            guard case .unapproved(let file, let reason) = definition.standing, seen.insert(file).inserted else { return nil }
            return (file, reason)
        }
    }

    /// The repository files of the provisioners `resources` use, sorted: an input of the application tier's
    /// fingerprint (docs/ARCHITECTURE.md §3), so editing a provisioner re-renders exactly the apps that use it.
    public func repositoryFiles(for resources: [String: ResourceRequest]) throws(ProvisioningError) -> [String] {
        Set(try match(resources).values.flatMap(\.repositoryFiles)).sorted()
    }

    /// Matches every resource, or fails once naming each unmatched or refused one and listing what exists.
    public func match(_ resources: [String: ResourceRequest]) throws(ProvisioningError) -> [String: ProvisionerDefinition] {
        var matched: [String: ProvisionerDefinition] = [:]
        var missing: [String] = []
        var refused: [String] = []
        for name in resources.keys.sorted() {
            let resource = resources[name]!
            if let definition = match(type: resource.type, class: resource.class, id: resource.id) {
                if case .refused(let reason) = definition.standing {
                    refused.append("resources.\(name): \(reason)")
                } else {
                    matched[name] = definition
                }
            } else {
                missing.append("resources.\(name) (type \(resource.type), class \(resource.class ?? "default"), id \(resource.id ?? "none"))")
            }
        }
        guard refused.isEmpty else { throw ProvisioningError(refused.joined(separator: "; ")) }
        guard missing.isEmpty else {
            let available = definitions.filter { $0.standing == .usable }.map { "  - " + $0.summary }.joined(separator: "\n")
            throw ProvisioningError("no provisioner matches \(missing.joined(separator: "; ")); add one under provisioners/ "
                                    + "(approved in workflowPolicies.allowedProvisioners) or use a type that exists. Provisioners:\n"
                                    + available)
        }
        return matched
    }
}
