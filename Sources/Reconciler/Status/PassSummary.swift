import Planner
import Specs

/// A pass's report for people: one line per pair that did something, then the result.
public enum PassSummary {
    public static func text(_ report: PassReport) -> String {
        guard let status = report.status else { return report.message ?? "nothing to do" }
        var lines: [String] = []
        for (app, appStatus) in status.apps.sorted(by: { $0.key < $1.key }) {
            for tier in Tier.allCases {
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
        // The headline agrees with the exit status: a pass that exits 1 never reads "succeeded".
        let headline = report.exitCode == 0 ? status.result.rawValue : status.result == .partial ? "partial" : "failed"
        let pairs = status.apps.values.flatMap(\.tiers.values)
        let blocked = pairs.reduce(0) { $0 + ($1.blocked?.count ?? ($1.action == .blocked ? 1 : 0)) }
        var counts: [String: Int] = [:]
        for pair in pairs { counts[pair.result.rawValue, default: 0] += 1 }
        let detail = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        lines.append("\(headline) at \(status.commit.prefix(12)): "
            + "\(pairs.count) pair(s) listed\(detail.isEmpty ? "" : " (\(detail))"), \(status.unchanged) unchanged, "
            + "\(blocked) workflow\(blocked == 1 ? "" : "s") blocked"
            + (report.wroteNote ? "; note written under refs/notes/innominatus" : ""))
        if let message = report.message { lines.append(message) }
        return lines.joined(separator: "\n")
    }
}
