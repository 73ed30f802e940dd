import GitKit
import Planner
import Provisioning
import Specs

extension DesiredStateLoader {
    /// The provisioners folder of a platform repository (the one `innominatus render` reads too).
    static let provisionersFolder = "provisioners/"

    /// The repository's provisioner definitions, then the built-in ones.
    struct Provisioners {
        var registry: ProvisionerRegistry
        var errors: [String]
    }

    /// Reads `provisioners/*.yaml` (parsed once per blob) and gives every app with resources the
    /// fingerprint components of the definitions its resources match (docs/ARCHITECTURE.md §3): the
    /// definition's file and its command script by blob id, or the digest of the built-in set.
    mutating func loadProvisioners(into desired: inout DesiredState, snapshot: TreeSnapshot, from repository: Repository) async throws {
        let files = snapshot.entries.keys.filter { path in
            path.hasPrefix(Self.provisionersFolder) && !path.dropFirst(Self.provisionersFolder.count).contains("/")
                && (path.hasSuffix(".yaml") || path.hasSuffix(".yml"))
        }.sorted()
        let policy = ProvisionerPolicy(config: desired.config, configPath: AdminConfig.path { snapshot[$0] != nil })
        var loaded: [ProvisionerRegistry.File] = []
        var errors: [String] = []
        for path in files {
            guard let entry = snapshot[path] else { continue }
            let key = entry.id.hex + " " + path
            let parsed: Result<[ProvisionerDefinition], ProvisioningError>
            if let cached = provisionerCache[key] {
                parsed = cached
            } else {
                switch try await read(entry.id, path: path, from: repository) {
                case .failure(let problem): parsed = .failure(ProvisioningError(problem.description))
                case .success(let bytes):
                    // `cmd://./script` is anchored in the checkout the generated deploy runs it in.
                    let folder = checkoutRoot.hasSuffix("/") ? checkoutRoot + Self.provisionersFolder
                        : checkoutRoot + "/" + Self.provisionersFolder
                    do { parsed = .success(try ProvisionerLoader().load(bytes, file: path, folder: folder)) } catch {
                        parsed = .failure(error)
                    }
                }
                provisionerCache[key] = parsed
            }
            switch parsed {
            case .success(let found): loaded.append(.init(path: path, blobID: entry.id.hex, definitions: found))
            // A file the admin config does not approve is not used, so its errors concern no app.
            case .failure(let error) where policy.refusal(ofFile: path, blobID: entry.id.hex) == nil: errors.append(error.message)
            case .failure: continue
            }
        }
        desired.provisionerErrors = errors
        let registry = ProvisionerRegistry(files: loaded, policy: policy)
        provisioners = registry
        for name in desired.apps.keys {
            guard let resources = desired.apps[name]?.resources, !resources.isEmpty else { continue }
            var inputs: [String: String] = [:]
            var refusals: [String] = []
            var passedOver: [String: String] = [:]
            for resource in resources {
                passedOver.merge(registry.passedOver(type: resource.type, class: resource.class, id: resource.id)) { first, _ in first }
                guard let definition = registry.match(type: resource.type, class: resource.class, id: resource.id) else {
                    // Unmatched: the run fails naming it; adding a provisioner for it changes this component.
                    inputs["provisioner for \(resource.type)"] = "unmatched:\(resource.type)/\(resource.class ?? "-")/\(resource.id ?? "-")"
                    continue
                }
                if case .refused(let reason) = definition.standing {
                    refusals.append("resources.\(resource.name): \(reason)")
                }
                if definition.repositoryFiles.isEmpty {
                    inputs["provisioner:built-in"] = Self.builtInDigest
                    // Its outputs are the admin config's environment values: changing them re-renders the app.
                    if resource.type == DefaultProvisioners.environmentType {
                        let values = desired.config.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                        inputs["provisioner:environment"] = GitBlobID.of(Array(values.joined(separator: "\n").utf8))
                    }
                }
                for file in definition.repositoryFiles {
                    inputs[file] = snapshot[file]?.id.hex ?? "missing"
                }
            }
            desired.apps[name]?.provisionerInputs = inputs
            desired.apps[name]?.provisionerRefusals = refusals
            desired.apps[name]?.unapprovedProvisioners = passedOver
        }
    }

    /// Changes when a new innominatus version changes a built-in provisioner, which re-renders the apps
    /// using them: the blob id of the built-ins' text, after a version that names how it is read (raise it
    /// when the same text comes to render differently). A hash of the text, not of the parsed definitions'
    /// reflection (5 ms in every `plan` process).
    static let builtInDigest = GitBlobID.of(Array(("innominatus built-in provisioners 2\n" + DefaultProvisioners.text).utf8))
}
