/// One step of a workflow, with everything the executor needs to run it.
public struct WorkflowStep: Sendable, Hashable, Codable {
    public enum StepType: Sendable, Hashable, Codable, CustomStringConvertible {
        case shell
        case http
        /// Any other `type:`; resolved through the admin config's `stepTypes` registry.
        case plugin(String)

        /// The types every innominatus knows; any other is a plugin of some repository's admin config.
        public static let builtInNames = ["shell", "http"]

        init(_ name: String) {
            switch name {
            case "shell": self = .shell
            case "http": self = .http
            default: self = .plugin(name)
            }
        }

        public var description: String {
            switch self {
            case .shell: "shell"
            case .http: "http"
            case .plugin(let name): name
            }
        }
    }

    public enum When: String, Sendable, Hashable, CaseIterable, Codable {
        case always
        case onSuccess = "on_success"
        case onFailure = "on_failure"
    }

    /// A value of a step's `env`: written inline, or read from the reconciler's environment (only names
    /// the admin config's `secretEnv` allows for the tier) or from a file in the repository.
    public struct EnvValue: Sendable, Hashable, Codable {
        public enum Source: Sendable, Hashable, Codable {
            case value(String)
            case fromEnv(String)
            case fromFile(String)
        }

        public var source: Source
        /// Masked as `***` in every captured log line, output and result.
        public var secret: Bool
    }

    public struct EnvEntry: Sendable, Hashable, Codable {
        public var name: String
        public var value: EnvValue
    }

    /// The request of an `http` step.
    public struct HTTPRequest: Sendable, Hashable, Codable {
        public var method: String
        public var url: String
        public var headers: [String: String]
        public var body: String?
        /// Status codes that count as success; empty means any 2xx.
        public var expectedStatus: [Int]
    }

    public var name: String
    public var type: StepType
    /// The `sh -c` script of a shell step.
    public var run: String?
    /// In file order, as written.
    public var env: [EnvEntry]
    /// nil when not written (the step follows the previous one); `[]` means it may start at once.
    public var dependsOn: [String]?
    public var when: When
    /// The `if:` condition over context values, as written.
    public var condition: String?
    public var timeout: SpecDuration?
    public var retries: Int
    /// The free-form `config` of a plugin step, handed to the plugin as JSON.
    public var config: YAMLNode?
    public var http: HTTPRequest?
}
