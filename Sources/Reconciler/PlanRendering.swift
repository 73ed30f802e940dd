import Planner
import Provisioning
import Specs

/// The two printed forms of a `Plan`: JSON exactly as docs/ARCHITECTURE.md §7 fixes it (fields added, none
/// renamed), and text for people — grouped by app, one line per tier, a summary line at the end.
public enum PlanRendering {
    public static func json(_ plan: Plan) -> String {
        var out = "{\"commit\": \(JSONString.quote(plan.commit)), \"appliedCommit\": \(plan.appliedCommit.map(JSONString.quote) ?? "null"),\n \"items\": ["
        for (index, item) in plan.items.enumerated() {
            out += index == 0 ? "\n  " : ",\n  "
            out += json(item)
        }
        out += plan.items.isEmpty ? "],\n" : "\n ],\n"
        if let verification = plan.verification { out += " \"verification\": \(json(verification)),\n" }
        out += " \"errors\": [\(plan.errors.map(JSONString.quote).joined(separator: ", "))]}\n"
        return out
    }

    /// The trust stage's verdict, with the fields of the note's `verification` section (docs/ARCHITECTURE.md §7).
    public static func json(_ verification: Verification) -> String {
        var out = "{\"mode\": \"\(verification.mode.rawValue)\", \"result\": \"\(verification.passed ? "verified" : "refused")\", "
        out += "\"commits\": \(verification.commits), \"signers\": [\(verification.signers.map(JSONString.quote).joined(separator: ", "))]"
        if let seal = verification.seal {
            out += ", \"seal\": {\"commit\": \(JSONString.quote(seal.commit)), \"reason\": \(JSONString.quote(seal.reason))}"
        }
        if let refusal = verification.refusal {
            out += ", \"commit\": \(JSONString.quote(refusal.commit)), \"path\": \(JSONString.quote(refusal.path)), "
            out += "\"rule\": \(JSONString.quote(refusal.rule)), \"signer\": \(JSONString.quote(refusal.signer)), "
            out += "\"reason\": \(JSONString.quote(refusal.reason))"
        }
        if let trust = verification.trust { out += ", \"trust\": \(JSONString.quote(trust))" }
        return out + "}"
    }

    /// One plan item as §7 gives it (also inside a preview).
    public static func json(_ item: PlanItem) -> String {
        var out = "{\"app\": \(JSONString.quote(item.app)), \"tier\": \"\(item.tier.rawValue)\", \"action\": \"\(item.action.rawValue)\", "
        out += "\"reason\": \(JSONString.quote(item.reason)), \"workflows\": [\(item.workflows.map(JSONString.quote).joined(separator: ", "))], "
        out += "\"blocked\": [" + item.blocked.map {
            "{\"workflow\": \(JSONString.quote($0.workflow)), \"reason\": \(JSONString.quote($0.reason))}"
        }.joined(separator: ", ") + "]"
        if let fingerprint = item.fingerprint { out += ", \"fingerprint\": \"\(fingerprint.digest)\"" }
        if item.waiting { out += ", \"waiting\": true" }
        if item.gated { out += ", \"gated\": true" }
        return out + "}"
    }

    public static func text(_ plan: Plan) -> String {
        var out = "plan for \(plan.commit) (applied: \(plan.appliedCommit ?? "nothing yet"))\n"
        if let verification = plan.verification { out += (verification.passed ? "trust: " : "error: ") + verification.summary + "\n" }
        for error in plan.errors { out += "error: \(error)\n" }
        var index = 0
        let items = plan.items
        while index < items.count {
            var end = index
            while end < items.count, items[end].app == items[index].app { end += 1 }
            let group = items[index..<end]
            // Listed: every app with a pair that is not plainly unchanged (waiting, gated and failing ones too).
            if group.contains(where: { !$0.isUnchanged && $0.applies }) {
                out += "\(items[index].app)\n"
                for item in group {
                    let tier = item.tier.rawValue.padding(to: 12)
                    let action = item.action.rawValue.padding(to: 10)
                    out += "  \(tier)\(action)\(item.reason)"
                    if !item.workflows.isEmpty { out += " [\(item.workflows.joined(separator: ", "))]" }
                    out += "\n"
                    for blocked in item.blocked { out += "    blocked \(blocked.workflow): \(blocked.reason)\n" }
                }
            }
            index = end
        }
        out += summary(plan) + "\n"
        return out
    }

    /// `3 to run, 27 unchanged, 1 workflow blocked`, then the rarer kinds when present.
    public static func summary(_ plan: Plan) -> String {
        // One walk over 30,000 items, not five.
        var counts: [PlanItem.Action: Int] = [:]
        var unchanged = 0, waiting = 0, gated = 0, blocked = 0
        for index in plan.items.indices {
            let action = plan.items[index].action
            counts[action, default: 0] += 1
            if plan.items[index].isUnchanged { unchanged += 1 }
            if action == .skip && plan.items[index].waiting { waiting += 1 }
            if plan.items[index].gated { gated += 1 }
            // Blocked workflows, each counted once per pair, and pairs blocked with no workflow named (a prune
            // stopped by maxPrunePerPass, a required platform workflow missing) once each.
            let named = plan.items[index].blocked.count
            blocked += named == 0 ? (action == .blocked ? 1 : 0) : named
        }
        var parts = ["\(counts[.run] ?? 0) to run", "\(unchanged) unchanged",
                     "\(blocked) workflow\(blocked == 1 ? "" : "s") blocked"]
        if waiting > 0 { parts.append("\(waiting) waiting to retry") }
        if gated > 0 { parts.append("\(gated) gated") }
        let rare: [(PlanItem.Action, String)] = [(.prune, "to prune"), (.error, "in error"), (.stalled, "stalled"), (.suspended, "suspended")]
        for (action, label) in rare { if let count = counts[action], count > 0 { parts.append("\(count) \(label)") } }
        return parts.joined(separator: ", ")
    }

}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
