/// A Score workload (`score.dev/v1b1`), after validation and after the deprecated array forms of
/// `files` and `volumes` were upgraded to maps keyed by target path, as score-go does.
///
/// Only a file that passed validation becomes a model, so its fields hold checked values; the YAML
/// positions stay in the validator's diagnostics.
public struct ScoreWorkload: Sendable, Hashable {
    public var apiVersion: String
    public var metadata: Metadata
    public var service: Service?
    public var containers: [String: Container]
    public var resources: [String: Resource]

    public struct Metadata: Sendable, Hashable {
        public var name: String
        /// `metadata.product`: the product whose workflows run for this app (docs/ARCHITECTURE.md §1).
        public var product: String?
        public var annotations: [String: String]
        /// Every metadata key, for `${metadata.KEY}` placeholders; non-string values keep their YAML text.
        public var values: [String: String]
    }

    public struct Service: Sendable, Hashable {
        public var ports: [String: Port]
    }

    public struct Port: Sendable, Hashable {
        public var port: Int
        public var protocolName: String?
        public var targetPort: Int?
    }

    public struct Container: Sendable, Hashable {
        public var image: String
        public var command: [String]?
        public var args: [String]?
        public var variables: [String: String]
        /// Keyed by the target path in the container.
        public var files: [String: File]
        /// Keyed by the target mount path.
        public var volumes: [String: Volume]
        public var resources: Resources?
        public var livenessProbe: Probe?
        public var readinessProbe: Probe?
        /// Containers that must reach a state before this one starts, with that state.
        public var before: [String: String]
    }

    public struct File: Sendable, Hashable {
        public enum Content: Sendable, Hashable {
            case text(String)
            case binary(base64: String)
            /// A path relative to the Score file; never opened by validation.
            case source(String)
        }

        public var content: Content
        public var mode: String?
        public var noExpand: Bool
    }

    public struct Volume: Sendable, Hashable {
        public var source: String
        public var path: String?
        public var readOnly: Bool
    }

    public struct Resources: Sendable, Hashable {
        public var limits: Quantities?
        public var requests: Quantities?
    }

    public struct Quantities: Sendable, Hashable {
        public var memory: String?
        public var cpu: String?
    }

    public struct Probe: Sendable, Hashable {
        public var httpGet: HTTPGet?
        public var exec: [String]?
    }

    public struct HTTPGet: Sendable, Hashable {
        public var host: String?
        public var scheme: String?
        public var path: String
        public var port: Int
        public var headers: [Header]
    }

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    public struct Resource: Sendable, Hashable {
        public var type: String
        public var `class`: String?
        public var id: String?
        public var params: YAMLNode?
        public var metadata: YAMLNode?
    }
}
