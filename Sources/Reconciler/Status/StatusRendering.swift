import Foundation
import Planner
import Specs

/// A status note for people (`innominatus status`, `history`) and for machines (JSON, YAML).
public enum StatusRendering {
    /// - Parameter earlier: the other passes recorded on the same commit (its note's earlier
    ///   `ReconcileStatus` documents, oldest first), listed after `status` one line each.
    public static func text(_ status: ReconcileStatus, earlier: [ReconcileStatus] = []) -> String {
        var lines = ["commit \(status.commit)  \(status.result.rawValue)  \(status.startedAt) → \(status.finishedAt)"]
        lines.append("previous \(status.previousCommit ?? "none")  unchanged pairs: \(status.unchanged)")
        if let error = status.error { lines.append("error: \(error)") }
        for warning in status.warnings ?? [] { lines.append("warning: \(warning)") }
        if let verification = status.verification {
            if verification.result == .refused {
                lines.append("trust: refused (\(verification.mode)): commit \(verification.commit?.prefix(12) ?? "?"), "
                    + "path \(verification.path ?? "?"), \(verification.rule ?? "?"), signer found: \(verification.signer ?? "?")")
            } else if let verdict = verification.verification {
                lines.append("trust: " + verdict.summary)
            }
        }
        if let delivery = status.delivery {
            if let error = delivery.error {
                lines.append("delivery to \(delivery.branch) failed: \(error)")
            } else if let commit = delivery.commit {
                lines.append("delivered to \(delivery.branch) at \(commit.prefix(12)): \(delivery.apps.joined(separator: ", "))")
            } else {
                lines.append("delivered nothing to \(delivery.branch): the rendered manifests are already there")
            }
        }
        for (app, appStatus) in status.apps.sorted(by: { $0.key < $1.key }) {
            lines.append("")
            lines.append(app + (appStatus.product.map { " (product \($0))" } ?? ""))
            for tier in Tier.allCases {
                guard let pair = appStatus.tiers[tier] else { continue }
                lines.append("  " + pad(tier.rawValue, 12) + pad(pair.action.rawValue, 10) + pad(pair.result.rawValue, 12) + pair.reason)
                for blocked in pair.blocked ?? [] { lines.append("      blocked \(blocked.workflow): \(blocked.reason)") }
                for (resource, outputs) in (pair.resources ?? [:]).sorted(by: { $0.key < $1.key }) {
                    lines.append("      resource \(resource): "
                        + outputs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
                }
                for workflow in pair.workflows ?? [] {
                    lines.append("      \(workflow.name) (\(workflow.phase)): \(workflow.result)")
                    for step in workflow.steps where step.result != "succeeded" {
                        lines.append("        step \(step.name): \(step.result)" + (step.exitCode.map { ", exit \($0)" } ?? ""))
                        for line in step.log ?? [] { lines.append("          | \(line)") }
                        if let file = step.logFile { lines.append("          full log: \(file)") }
                    }
                }
            }
        }
        if !earlier.isEmpty {
            lines.append("")
            lines.append("\(earlier.count + 1) passes recorded on this commit; the last is shown above, the earlier "
                + (earlier.count == 1 ? "one was:" : "\(earlier.count), oldest first, were:"))
            for pass in earlier { lines.append("  \(pass.startedAt)  \(pass.result.rawValue)") }
        }
        return lines.joined(separator: "\n")
    }

    /// `text` followed by spaces up to `width` (Foundation's `padding` bridges through NSString, per line).
    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    public static func json(_ status: ReconcileStatus) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(status), as: UTF8.self)
    }

    public static func yaml(_ status: ReconcileStatus) throws -> String {
        try StatusNote.render(status)
    }
}
