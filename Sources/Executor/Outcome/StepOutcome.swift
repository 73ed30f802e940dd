import Specs

/// How one step ended. A failing step is a result, never a thrown error, so a workflow can go on to its
/// `on_failure` and `always` steps and report every step.
public enum StepResult: String, Sendable, Hashable, Codable {
    case succeeded
    case failed
    /// Killed at its (or its workflow's) deadline.
    case timedOut = "timed-out"
    /// Not run: its `when` or `if` said so, or the workflow was stopped first.
    case skipped
    /// Stopped because the run was cancelled.
    case cancelled
}

/// What a step did: what the status note and `innominatus run --output json` report for it.
///
/// Secret values never appear here: outputs, the log tail and the message are masked before they are stored.
public struct StepOutcome: Sendable, Hashable, Codable {
    public var name: String
    public var type: String
    public var result: StepResult
    /// The exit status of the last attempt (128 + signal when a signal ended it); nil when nothing ran.
    public var exitCode: Int32?
    public var durationMs: Int
    public var attempts: Int
    public var outputs: [String: String]
    /// The last lines of the captured log (at most 200 lines / 64 KiB), masked.
    public var log: [String]
    /// Why the step failed or was skipped, in words.
    public var message: String?
    /// The full (masked, size-capped) log on disk, when a log directory was given.
    public var logFile: String?

    public init(name: String, type: String, result: StepResult, exitCode: Int32? = nil, durationMs: Int = 0,
                attempts: Int = 0, outputs: [String: String] = [:], log: [String] = [], message: String? = nil,
                logFile: String? = nil) {
        self.name = name
        self.type = type
        self.result = result
        self.exitCode = exitCode
        self.durationMs = durationMs
        self.attempts = attempts
        self.outputs = outputs
        self.log = log
        self.message = message
        self.logFile = logFile
    }

    /// Counts as a failure of its workflow.
    public var isFailure: Bool { result == .failed || result == .timedOut || result == .cancelled }
}
