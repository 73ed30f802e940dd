import Specs

/// Everything one attempt of a step needs, resolved before it runs.
struct StepInvocation: Sendable {
    var step: WorkflowStep
    var scope: StepScope
    var resolver: PlaceholderResolver
    var admin: AdminConfig
    var settings: ExecutorSettings
    /// The time left for this attempt: the step's timeout capped by its workflow's deadline.
    var timeout: Duration
    var mask: SecretMask
    var logPath: String?
    /// This attempt's own folder (`StepScratch`), outside the (read-only) checkout.
    var scratch: String
    var attempt: Int
}

/// What one attempt of a step did; the runner adds retries, duration and masking into a `StepOutcome`.
struct AttemptResult: Sendable {
    var result: StepResult
    var exitCode: Int32?
    var outputs: [String: String] = [:]
    var log: [String] = []
    var message: String?
    /// Values this attempt learned are secret (fromEnv/fromFile secrets), to mask in its outcome.
    var secrets: [String] = []
    /// Failed before anything ran (a placeholder with no value, a forbidden `fromEnv`, a program that
    /// cannot start): nothing wrote to the log, so the runner writes `message` there.
    var failedBeforeStart = false

    static func failure(_ message: String, secrets: [String] = []) -> AttemptResult {
        AttemptResult(result: .failed, exitCode: nil, message: message, secrets: secrets, failedBeforeStart: true)
    }

    /// The result of a process that ran: succeeded on exit 0, else failed, timed out or cancelled.
    static func from(_ end: ProcessEnd, what: String, timeout: Duration) -> AttemptResult {
        if let failure = end.failure {
            return AttemptResult(result: .failed, exitCode: nil, log: end.log, message: failure, failedBeforeStart: true)
        }
        var result = AttemptResult(result: .succeeded, exitCode: end.exitCode, log: end.log)
        if end.cancelled {
            result.result = .cancelled
            result.message = "cancelled while running; its processes were killed"
        } else if end.timedOut {
            result.result = .timedOut
            result.message = "timed out after \(StepProcess.describe(timeout)); its process group was killed"
        } else if end.exitCode != 0 {
            result.result = .failed
            result.message = "\(what) exited with status \(end.exitCode ?? -1)"
        }
        return result
    }
}
