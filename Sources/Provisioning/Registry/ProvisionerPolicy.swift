import Foundation
import Specs

/// Which repository provisioners may serve resources, from the admin config: the one rule that the
/// planner (which definitions join an app's fingerprint), the reconciler's render, `innominatus render`
/// and `validate DIR` all apply, so what is planned is what runs.
///
/// A provisioners file runs as the reconciler's user and receives the state of the resources it serves,
/// so it is approved like a product workflow: a file `allowedProvisioners` does not list, or whose pinned
/// blob id no longer matches, is not used at all (its definitions never match). A `cmd://` definition of an
/// approved file still needs `allowCmdProvisioners: true`; without it, resources it would serve fail.
public struct ProvisionerPolicy: Sendable, Hashable {
    /// The admin config's `allowedProvisioners`, judged by `AdminConfig.approval(ofProvisioners:blobID:)`.
    public var config: AdminConfig
    public var allowsCommands: Bool
    /// The admin config's path, for messages.
    public var configPath: String

    public init(config: AdminConfig, configPath: String? = nil) {
        self.config = config
        allowsCommands = config.allowCmdProvisioners
        self.configPath = configPath ?? AdminConfig.defaultPath
    }

    /// The policy of the platform repository at `root`: its admin config's, or the default (nothing
    /// approved) when it has none. An admin config that does not validate fails, with its errors.
    public static func forRepository(root: String?) throws(ProvisioningError) -> ProvisionerPolicy {
        guard let root else { return ProvisionerPolicy(config: .default) }
        for relative in AdminConfig.repositoryPaths {
            guard let data = FileManager.default.contents(atPath: root + "/" + relative) else { continue }
            let report = SpecValidator().validate(Array(data), path: relative, as: .adminConfig)
            guard let config = report.adminConfig else {
                throw ProvisioningError("\(relative) does not validate, so no repository provisioner can be judged; fix it first:\n"
                                        + report.errors.map(\.description).joined(separator: "\n"))
            }
            return ProvisionerPolicy(config: config, configPath: relative)
        }
        return ProvisionerPolicy(config: .default)
    }

    /// Why the file at `path` with `blobID` is not used, or nil when it is approved.
    public func refusal(ofFile path: String, blobID: String) -> String? {
        switch config.approval(ofProvisioners: path, blobID: blobID) {
        case .approved, .pinned:
            return nil
        case .notListed:
            return "not in workflowPolicies.allowedProvisioners of \(configPath), so it is not used; approve with: "
                + Self.approveCommand(path)
        case .changed(let pinned, let now):
            return "changed since it was approved (pinned \(pinned.prefix(12)), now \(now.prefix(12))) in "
                + "workflowPolicies.allowedProvisioners of \(configPath), so it is not used; approve with: " + Self.approveCommand(path)
        }
    }

    /// Whether the admin config lists `path` at all (at any pin).
    public func lists(_ path: String) -> Bool {
        config.approval(ofProvisioners: path, blobID: "") != .notListed
    }

    /// Why `definition` (of an approved file) may not run, or nil.
    public func refusal(of definition: ProvisionerDefinition) -> String? {
        guard case .command = definition.kind, !allowsCommands else { return nil }
        return "the provisioner \(definition.uri) (\(definition.origin)) is a cmd:// provisioner, which runs as the reconciler's "
            + "user; workflowPolicies.allowCmdProvisioners in \(configPath) is not true, so it may not run. Set "
            + "allowCmdProvisioners: true there, or serve the resource with a template:// provisioner"
    }

    /// The definitions of one file, marked with what this policy makes of them.
    public func judge(_ definitions: [ProvisionerDefinition], file path: String, blobID: String) -> [ProvisionerDefinition] {
        let fileRefusal = refusal(ofFile: path, blobID: blobID)
        return definitions.map { definition in
            var judged = definition
            if let fileRefusal {
                judged.standing = .unapproved(file: path, reason: fileRefusal)
            } else if let refusal = refusal(of: definition) {
                judged.standing = .refused(refusal)
            }
            return judged
        }
    }

    public static func approveCommand(_ path: String) -> String { "innominatus approve \(path)" }
}
