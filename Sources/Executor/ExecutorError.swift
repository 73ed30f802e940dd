/// Why the executor could not run something at all (as opposed to a step that ran and failed, which is a
/// `StepOutcome`). Found before anything runs where possible: unknown step types, placeholders, `fromEnv`.
public struct ExecutorError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A step type that is neither built in nor registered under `stepTypes`, or not allowed in the tier.
        case unknownStepType
        /// A `${…}` reference with no value.
        case placeholder
        /// A `fromEnv` the admin config does not allow, or a variable that is not set.
        case environment
        /// A `fromFile` or plugin path outside the repository, or unreadable.
        case path
        /// A malformed `if`, `dependsOn` or duration.
        case invalidStep
        /// The operating system refused (pipes, spawning, log files).
        case system
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
