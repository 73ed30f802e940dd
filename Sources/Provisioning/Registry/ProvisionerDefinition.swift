import Foundation
import Specs

/// One entry of a `provisioners/*.yaml` file: which resources it serves and how it provisions them.
///
/// The model of score-compose and score-k8s: the first definition whose `type`, `class` and `id` match
/// a resource wins, the repository's own definitions before the built-in defaults.
public struct ProvisionerDefinition: Sendable, Hashable {
    public var uri: String
    public var type: String
    /// nil matches every class.
    public var `class`: String?
    /// nil matches every id.
    public var id: String?
    public var description: String?
    public var kind: Kind
    /// Where it was declared (`provisioners/db.yaml:3:3`, or `built-in`), for messages.
    public var origin: String
    /// Where it starts in its file.
    public var location: SourceLocation = .start
    /// The repository files this definition is made of (its YAML file, and a cmd provisioner's script when it
    /// lies beside it), relative to the repository root: what joins the application tier's fingerprint.
    public var repositoryFiles: [String] = []
    /// What the admin config makes of it (`ProvisionerPolicy`): an unapproved file's definitions never match.
    public var standing: Standing = .usable

    public enum Standing: Sendable, Hashable {
        case usable
        /// Its file is not approved (or its pin no longer matches): skipped when matching, only named.
        case unapproved(file: String, reason: String)
        /// Its file is approved but it may not run (a `cmd://` one without `allowCmdProvisioners`): it matches,
        /// and the resources it serves fail with the reason.
        case refused(String)
    }

    /// Built in to innominatus rather than read from the repository.
    public var isBuiltIn: Bool { origin == "built-in" }

    public enum Kind: Sendable, Hashable {
        case template(TemplateSpec)
        /// score-k8s's format: Go templates (docs/ARCHITECTURE.md §2, "Go-template provisioners").
        case goTemplate(GoTemplateSpec)
        case command(CommandSpec)
    }

    /// A template provisioner in score-k8s's format: each block a Go template rendered in order, its text
    /// read as YAML and given to the next (`.Init`, `.State`, `.Shared`); outputs and manifests see all.
    public struct GoTemplateSpec: Sendable, Hashable {
        public var initial: GoTemplate?
        public var state: GoTemplate?
        public var shared: GoTemplate?
        public var outputs: GoTemplate?
        public var manifests: GoTemplate?
        /// What `provisioners list` shows; not enforced, as in score-k8s.
        public var expectedOutputs: [String]
        public var supportedParams: [String]
        /// Output keys that are secret besides those holding a secret reference or a value of its Secrets.
        public var secrets: [String]

        /// The output keys known to be secret before it runs, for lists: `secrets`, and the keys whose line
        /// of the outputs template writes a secret reference (`password: {{ encodeSecretRef … }}`). When it
        /// runs, an output holding a value of its Secrets is secret too.
        public var knownSecrets: Set<String> {
            var keys = Set(secrets)
            for line in (outputs?.source ?? "").split(separator: "\n") {
                guard line.contains("encodeSecretRef") || line.contains(SecretReference.prefix),
                      let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon].trimmingCharacters(in: .whitespaces)
                if !key.isEmpty, !key.contains("{"), !key.contains(" ") { keys.insert(key) }
            }
            return keys
        }
    }

    public struct TemplateSpec: Sendable, Hashable {
        /// Templates for state keys, evaluated first with the previous state in the context.
        public var state: ManifestValue
        public var outputs: ManifestValue
        public var manifests: ManifestValue
        /// Output keys whose values are secrets.
        public var secrets: [String]
    }

    public struct CommandSpec: Sendable, Hashable {
        /// The program: an absolute path, or one found on PATH; `./x` is relative to the file's folder
        /// and resolved to an absolute path when the file is loaded.
        public var program: String
        public var arguments: [String]
    }

    /// Whether this definition serves `resource`: type equal, class and id equal when the definition sets them.
    public func matches(type: String, class resourceClass: String?, id: String?) -> Bool {
        guard self.type == type else { return false }
        if let wanted = self.class, wanted != (resourceClass ?? "default") { return false }
        if let wanted = self.id, wanted != id { return false }
        return true
    }

    /// `uri (type[, class][, id])`, for lists of what exists.
    public var summary: String {
        var parts = ["type \(type)"]
        if let resourceClass = self.class { parts.append("class \(resourceClass)") }
        if let id { parts.append("id \(id)") }
        return "\(uri) (\(parts.joined(separator: ", ")))"
    }
}
