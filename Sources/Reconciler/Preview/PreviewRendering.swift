import Foundation
import Planner
import Specs

/// The three printed forms of a `Preview`: JSON (a contract: fields are added, never renamed), text for
/// a terminal, and Markdown for a pull-request comment, kept under `markdownLimit` characters.
public enum PreviewRendering {
    /// GitHub refuses comments over 65,536 characters; this leaves room for a header a bot adds.
    public static let markdownLimit = 60_000

    public static func json(_ preview: Preview) -> String {
        func quote(_ text: String?) -> String { text.map(JSONString.quote) ?? "null" }
        let base = preview.base
        var out = "{\"ref\": \(quote(preview.ref)), \"commit\": \(quote(preview.commit)),\n"
        out += " \"base\": {\"branch\": \(quote(base.branch)), \"head\": \(quote(base.head)), \"appliedCommit\": \(quote(base.appliedCommit)), "
        out += "\"environmentBranch\": \(quote(base.environmentBranch)), \"environmentCommit\": \(quote(base.environmentCommit))},\n"
        out += " \"summary\": \(quote(PlanRendering.summary(preview.plan))), \"exitCode\": \(preview.exitCode),\n"
        out += " \"items\": [" + preview.plan.items.map { "\n  " + PlanRendering.json($0) }.joined(separator: ",")
            + (preview.plan.items.isEmpty ? "],\n" : "\n ],\n")
        out += " \"blastRadius\": [" + preview.blastRadius.map {
            "\n  {\"path\": \(quote($0.path)), \"change\": \(quote($0.change)), \"tier\": \(quote($0.tier?.rawValue)), \"pairs\": \($0.pairs)}"
        }.joined(separator: ",") + (preview.blastRadius.isEmpty ? "],\n" : "\n ],\n")
        out += " \"manifests\": [" + preview.manifests.map {
            "\n  {\"app\": \(quote($0.app)), \"path\": \(quote($0.path)), \"change\": \(quote($0.change.rawValue)), \"diff\": \(quote($0.diff))}"
        }.joined(separator: ",") + (preview.manifests.isEmpty ? "],\n" : "\n ],\n")
        out += " \"blocked\": [" + preview.blocked.map {
            "\n  {\"workflow\": \(quote($0.workflow)), \"reason\": \(quote($0.reason)), \"digest\": \(quote($0.digest)), "
                + "\"approve\": \(quote($0.approve)), \"apps\": \($0.apps)}"
        }.joined(separator: ",") + (preview.blocked.isEmpty ? "],\n" : "\n ],\n")
        if let verification = preview.plan.verification { out += " \"verification\": \(PlanRendering.json(verification)),\n" }
        out += " \"errors\": [\(preview.errors.map(JSONString.quote).joined(separator: ", "))],\n"
        out += " \"warnings\": [\(preview.warnings.map(JSONString.quote).joined(separator: ", "))]}\n"
        return out
    }

    public static func text(_ preview: Preview) -> String {
        var out = "preview of \(preview.ref) (\(preview.commit.prefix(12))) against \(preview.base.branch) "
            + "(applied: \(preview.base.appliedCommit.map { String($0.prefix(12)) } ?? "nothing yet"))\n"
        for warning in preview.warnings { out += "warning: \(warning)\n" }
        for error in preview.errors { out += "error: \(error)\n" }
        if let verification = preview.plan.verification, verification.passed { out += "trust: \(verification.summary)\n" }
        // The plan's own lines, without its header and summary (both said here).
        let planLines = PlanRendering.text(preview.plan).split(separator: "\n", omittingEmptySubsequences: false).dropFirst().dropLast(2)
            .filter { !$0.hasPrefix("error: ") && !$0.hasPrefix("trust: ") }
        if !planLines.isEmpty { out += "\npairs:\n" + planLines.map { "  " + $0 }.joined(separator: "\n") + "\n" }
        if !preview.blastRadius.isEmpty {
            out += "\nblast radius:\n"
            for entry in preview.blastRadius { out += "  \(entry.path) (\(entry.change)): \(reruns(entry))\n" }
        }
        if !preview.blocked.isEmpty {
            out += "\nblocked:\n"
            for blocked in preview.blocked {
                out += "  \(blocked.workflow) (\(apps(blocked.apps))): \(blocked.reason)\n"
                if let approve = blocked.approve { out += "    approve: \(approve)" + (blocked.digest.map { " (pins \($0))" } ?? "") + "\n" }
            }
        }
        if !preview.manifests.isEmpty {
            out += "\nmanifests against \(environment(preview)):\n"
            for change in preview.manifests {
                if change.change == .secret {
                    out += "  \(change.path): a Secret (never shown, never on the branch)\n"
                    continue
                }
                out += "  \(change.path) (\(change.change.rawValue))\n"
                out += change.diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "    " + $0 }.joined(separator: "\n")
                out += "\n"
            }
        }
        out += "\n" + PlanRendering.summary(preview.plan) + "\n"
        return out
    }

    public static func markdown(_ preview: Preview, limit: Int = markdownLimit) -> String {
        let plan = preview.plan
        var out = "### innominatus preview of `\(preview.ref)` (`\(preview.commit.prefix(12))`)\n\n"
        out += "**\(PlanRendering.summary(plan))** against `\(preview.base.branch)` (applied: "
            + (preview.base.appliedCommit.map { "`\($0.prefix(12))`" } ?? "nothing yet") + ")\n"
        for error in preview.errors { out += "\n:x: \(inline(error))" }
        if let verification = plan.verification, verification.passed { out += "\n:lock: \(inline(verification.summary))" }
        for warning in preview.warnings { out += "\n:warning: \(inline(warning))" }
        if !preview.errors.isEmpty || !preview.warnings.isEmpty || plan.verification != nil { out += "\n" }
        var cut: [String] = []
        // What must be seen first gets the room first: pairs, blast radius, blocked; diffs fill the rest.
        let shown = plan.items.filter { !$0.isUnchanged && $0.applies }
        if !shown.isEmpty {
            var table = "\n| App | Tier | Action | Reason |\n|---|---|---|---|\n"
            var rows = 0
            for item in shown {
                let row = "| \(cell(item.app)) | \(item.tier.rawValue) | \(item.action.rawValue) | \(cell(item.reason)) |\n"
                guard out.count + table.count + row.count < limit / 2 else { break }
                table += row
                rows += 1
            }
            if rows < shown.count { cut.append("\(shown.count - rows) of \(shown.count) pairs") }
            out += table
        }
        if !preview.blastRadius.isEmpty {
            var section = "\n#### Blast radius\n\n| Path | Change | Re-runs |\n|---|---|---|\n"
            var rows = 0
            for entry in preview.blastRadius {
                let row = "| `\(cell(entry.path))` | \(entry.change) | \(reruns(entry)) |\n"
                guard out.count + section.count + row.count < limit * 3 / 4 else { break }
                section += row
                rows += 1
            }
            if rows < preview.blastRadius.count { cut.append("\(preview.blastRadius.count - rows) blast-radius rows") }
            out += section
        }
        if !preview.blocked.isEmpty {
            out += "\n#### Blocked workflows\n\n"
            for blocked in preview.blocked {
                var line = "- `\(blocked.workflow)` (\(apps(blocked.apps))): \(inline(blocked.reason))"
                if let approve = blocked.approve {
                    line += "\n  approve with `\(approve)`" + (blocked.digest.map { " (pins `\($0)`)" } ?? "")
                }
                out += line + "\n"
            }
        }
        if !preview.manifests.isEmpty {
            out += "\n#### Rendered manifests against \(environment(preview))\n\n"
            var shownDiffs = 0
            let footerRoom = 400
            for change in preview.manifests {
                let block: String
                if change.change == .secret {
                    block = "- `\(change.path)`: a Secret (never shown, never on the branch)\n"
                } else {
                    let fence = change.diff.contains("```") ? "~~~~" : "```"
                    block = "<details><summary><code>\(html(change.path))</code> (\(change.change.rawValue))</summary>\n\n"
                        + "\(fence)diff\n\(change.diff)\(change.diff.hasSuffix("\n") ? "" : "\n")\(fence)\n</details>\n"
                }
                guard out.count + block.count + footerRoom < limit else { break }
                out += block
                shownDiffs += 1
            }
            if shownDiffs < preview.manifests.count { cut.append("\(preview.manifests.count - shownDiffs) of \(preview.manifests.count) manifest changes") }
        }
        if !cut.isEmpty {
            out += "\n_Cut to stay under \(limit) characters: " + cut.joined(separator: ", ")
                + ". `innominatus preview --output text` shows everything._\n"
        }
        return out
    }

    private static func reruns(_ entry: Preview.BlastRadius) -> String {
        guard let tier = entry.tier else { return "re-runs nothing" }
        return "\(tier.rawValue) tier of \(apps(entry.pairs))"
    }

    private static func apps(_ count: Int) -> String { "\(count) app\(count == 1 ? "" : "s")" }

    private static func environment(_ preview: Preview) -> String {
        guard let branch = preview.base.environmentBranch else { return "the environment branch" }
        return "`\(branch)`" + (preview.base.environmentCommit.map { " at `\($0.prefix(12))`" } ?? " (not created yet)")
    }

    /// A table cell: one line, `|` escaped.
    private static func cell(_ text: String) -> String {
        inline(text).replacingOccurrences(of: "|", with: "\\|")
    }

    /// One line of Markdown text: line breaks become spaces, HTML is not interpreted.
    private static func inline(_ text: String) -> String {
        html(text.replacingOccurrences(of: "\n", with: " "))
    }

    private static func html(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
