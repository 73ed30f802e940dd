import Planner
import Specs

/// A pass's report for people: one line per pair that did something, then the result.
public enum PassSummary {
    public static func text(_ report: PassReport) -> String {
        guard let status = report.status else { return report.message ?? "nothing to do" }
        var lines: [String] = []
        for (app, appStatus) in status.apps.sorted(by: { $0.key < $1.key }) {
            for tier in [Tier.platform, .product, .application] {
                guard let pair = appStatus.tiers[tier] else { continue }
                lines.append("\(app)/\(tier.rawValue): \(pair.result.rawValue) — \(pair.reason)")
                for blocked in pair.blocked ?? [] { lines.append("  blocked \(blocked.workflow): \(blocked.reason)") }
                for workflow in pair.workflows ?? [] where workflow.result != "succeeded" {
                    for step in workflow.steps where step.result != "succeeded" {
                        lines.append("  \(workflow.name)/\(step.name): \(step.result)")
                        for line in (step.log ?? []).suffix(5) { lines.append("    | \(line)") }
                    }
                }
            }
        }
        lines.append("\(status.result.rawValue) at \(status.commit.prefix(12)): "
            + "\(status.apps.values.reduce(0) { $0 + $1.tiers.count }) pair(s) listed, \(status.unchanged) unchanged"
            + (report.wroteNote ? "; note written under refs/notes/innominatus" : ""))
        if let message = report.message { lines.append(message) }
        return lines.joined(separator: "\n")
    }
}
