/// What a spec file is, told from its content (or from where it lies in a platform repository).
public enum SpecKind: String, Sendable, Hashable, Codable {
    case score
    case workflow
    case adminConfig = "admin-config"
    /// `provisioners/*.yaml` of a platform repository: a list of provisioner definitions, which the
    /// Provisioning module reads; never detected from content (a list says too little).
    case provisioners
    /// Not recognisable as any of the three.
    case unknown

    /// Detection from the top-level keys, as `innominatus validate FILE` does.
    static func detect(_ root: YAMLNode) -> SpecKind {
        guard root.entries != nil else { return .unknown }
        if root["workflowPolicies"] != nil { return .adminConfig }
        let apiVersion = root["apiVersion"]?.string ?? ""
        if apiVersion.hasPrefix("score.dev/") { return .score }
        if Workflow.apiVersions.contains(apiVersion) { return .workflow }
        if let kind = root["kind"]?.string, Workflow.Kind(rawValue: kind) != nil { return .workflow }
        if root["containers"] != nil { return .score }
        if root["spec"]?["steps"] != nil { return .workflow }
        return .unknown
    }
}
