import Foundation
import Specs

/// How `innominatus run` prints what happened: plain text for people, JSON for tools. Kept here so the
/// CLI only wires.
public enum RunReport {
    public static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public static func text(_ outcome: WorkflowOutcome, logLines: Int = 10) -> String {
        var lines = ["workflow \(outcome.name) (\(outcome.tier.rawValue), \(outcome.phase)): \(outcome.result.rawValue) in \(outcome.durationMs) ms"]
        for step in outcome.steps {
            var line = "  \(step.name) [\(step.type)]: \(step.result.rawValue)"
            if let code = step.exitCode { line += ", exit \(code)" }
            if step.attempts > 1 { line += ", \(step.attempts) attempts" }
            line += ", \(step.durationMs) ms"
            lines.append(line)
            if let message = step.message { lines.append("    \(message)") }
            for (key, value) in step.outputs.sorted(by: { $0.key < $1.key }) { lines.append("    output \(key)=\(value)") }
            if step.isFailure { lines += step.log.suffix(logLines).map { "    | \($0)" } }
        }
        if outcome.steps.isEmpty, let message = outcome.message { lines.append("  \(message)") }
        return lines.joined(separator: "\n")
    }

    public static func text(_ steps: [PlannedStep]) -> String {
        steps.map { step in
            var line = "\(step.name) [\(step.type)]"
            if !step.after.isEmpty { line += " after \(step.after.joined(separator: ", "))" }
            if step.when != "on_success" { line += " when \(step.when)" }
            if let condition = step.condition { line += " if \(condition)" }
            if let timeout = step.timeoutMs { line += " timeout \(timeout) ms" }
            if step.retries > 0 { line += " retries \(step.retries)" }
            return line + "\n    " + step.action.split(separator: "\n").joined(separator: "\n    ")
        }.joined(separator: "\n")
    }

    /// A line of live progress: coloured marks for a terminal, plain words for logs and pipes.
    public static func progress(_ event: StepProgress, terminal: Bool) -> String {
        switch event {
        case .started(let workflow, let step, let attempt):
            let again = attempt > 1 ? " (attempt \(attempt))" : ""
            return terminal ? "\u{1B}[2m▶ \(workflow)/\(step)\(again)\u{1B}[0m" : "started \(workflow)/\(step)\(again)"
        case .finished(let workflow, let outcome):
            let time = outcome.result == .skipped ? "" : " (\(outcome.durationMs) ms)"
            guard terminal else { return "\(outcome.result.rawValue) \(workflow)/\(outcome.name)\(time)" }
            let mark = switch outcome.result {
            case .succeeded: "\u{1B}[32m✓"
            case .skipped: "\u{1B}[2m–"
            default: "\u{1B}[31m✗"
            }
            return "\(mark) \(workflow)/\(outcome.name) \(outcome.result.rawValue)\(time)\u{1B}[0m"
        }
    }
}
