import Foundation
import ProcessSupport
import Specs

/// Runs one step to its outcome: the attempts its `retries` allow, with exponential backoff between them,
/// each capped by the workflow's deadline. Never throws: a failure is a `StepOutcome`.
struct StepRunner: Sendable {
    var admin: AdminConfig
    var settings: ExecutorSettings
    var scratch: String
    var logDirectory: String?

    /// - Parameter deadline: the workflow's deadline on `ContinuousClock`.
    /// - Returns: the outcome (masked) and the raw outputs, which later steps receive unmasked.
    func run(_ step: WorkflowStep, scope: StepScope, mask: SecretMask,
             deadline: ContinuousClock.Instant) async -> (outcome: StepOutcome, outputs: [String: String]) {
        let clock = ContinuousClock()
        let started = clock.now
        let logPath = logDirectory.map { "\($0)/\(step.name).log" }
        var attempt = 0
        var result: AttemptResult
        var mask = mask
        while true {
            attempt += 1
            let remaining = deadline - clock.now
            guard remaining > .zero else {
                result = AttemptResult(result: .timedOut, exitCode: nil, message: "the workflow's time was up before this attempt")
                result.log = recordCause(result.message, attempt: attempt, mask: mask, at: logPath)
                break
            }
            var timeout = remaining
            if let limit = step.timeout?.duration, limit < timeout { timeout = limit }
            settings.progress?(.started(workflow: scope.workflow, step: step.name, attempt: attempt))
            // An http step starts no process: it needs no folder of its own.
            switch step.type == .http ? .success("") : StepScratch.make(in: scratch, owner: settings.stepUser) {
            case .failure(let error):
                result = .failure(error.message)
            case .success(let own):
                let invocation = StepInvocation(step: step, scope: scope, resolver: PlaceholderResolver(scope: scope), admin: admin,
                                                settings: settings, timeout: timeout, mask: mask, logPath: logPath,
                                                scratch: own, attempt: attempt)
                result = switch step.type {
                case .shell: await ShellStep.run(invocation)
                case .http: await HTTPStep.run(invocation)
                case .plugin(let type): await PluginStep.run(invocation, type: type)
                }
                if !own.isEmpty { StepScratch.remove(own) }
            }
            mask = mask.adding(result.secrets)
            if result.failedBeforeStart { result.log = recordCause(result.message, attempt: attempt, mask: mask, at: logPath) }
            guard result.result == .failed || result.result == .timedOut, attempt <= step.retries, !Task.isCancelled else { break }
            let backoff = backoff(after: attempt)
            guard clock.now + backoff < deadline else { break }
            StepLog.appendNotes([StepLog.noteLine("attempt \(attempt) \(result.result.rawValue): \(mask.mask(result.message ?? "")); "
                                                  + "retrying in \(StepProcess.describe(backoff))")], to: logPath)
            do { try await Task.sleep(for: backoff) } catch { break }
        }
        let duration = clock.now - started
        let outcome = StepOutcome(name: step.name, type: step.type.description, result: result.result, exitCode: result.exitCode,
                                  durationMs: Int(duration.wholeMilliseconds), attempts: attempt,
                                  outputs: mask.mask(result.outputs), log: result.log.map(mask.mask),
                                  message: result.message.map(mask.mask), logFile: logPath)
        settings.progress?(.finished(workflow: scope.workflow, outcome))
        return (outcome, result.outputs)
    }

    func backoff(after attempt: Int) -> Duration {
        var wait = settings.retryBackoff
        for _ in 1..<max(attempt, 1) where wait < settings.retryBackoffCap { wait *= 2 }
        return min(wait, settings.retryBackoffCap)
    }

    /// A step that failed before it ran (`if:` that cannot be evaluated): its cause, in its log and
    /// its full log file like the cause of any other failure.
    func failedBeforeStart(_ step: WorkflowStep, message: String, mask: SecretMask) -> StepOutcome {
        let logPath = logDirectory.map { "\($0)/\(step.name).log" }
        let masked = mask.mask(message)
        return StepOutcome(name: step.name, type: step.type.description, result: .failed, attempts: 0,
                           log: recordCause(masked, attempt: nil, mask: mask, at: logPath), message: masked, logFile: logPath)
    }

    /// Writes why an attempt failed before its process started to the full log, which nothing else wrote
    /// (so the status note's `log:` and its `full log:` file say why, instead of nothing), and returns
    /// those lines for the log tail.
    private func recordCause(_ message: String?, attempt: Int?, mask: SecretMask, at logPath: String?) -> [String] {
        let text = mask.mask(message ?? "failed before it started")
        let prefix = attempt.map { $0 > 1 ? "attempt \($0): " : "" } ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
            StepLog.noteLine(index == 0 ? "\(prefix)not started: \(line)" : String(line))
        }
        StepLog.appendNotes(lines, to: logPath)
        return lines
    }
}
