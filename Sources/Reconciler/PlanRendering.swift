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
        // Bytes appended in place, the columns padded once per tier and action: 10,000 apps print 1.5 MB.
        var out: [UInt8] = []
        out.reserveCapacity(plan.items.count * 60 + 256)
        func add(_ text: String) {
            var text = text
            text.withUTF8 { out.append(contentsOf: $0) }
        }
        add("plan for \(plan.commit) (applied: \(plan.appliedCommit ?? "nothing yet"))\n")
        if let verification = plan.verification { add((verification.passed ? "trust: " : "error: ") + verification.summary + "\n") }
        for error in plan.errors { add("error: \(error)\n") }
        let tiers = Tier.allCases.map { "  " + $0.rawValue.padding(to: 12) }
        let actions = Self.actions.map { $0.rawValue.padding(to: 10) }
        let items = plan.items
        var index = 0
        while index < items.count {
            let app = items[index].app
            var end = index
            // Listed: every app with a pair that is not plainly unchanged (waiting, gated and failing ones too).
            var listed = false
            while end < items.count, items[end].app == app {
                if !listed, items[end].applies, !items[end].isUnchanged { listed = true }
                end += 1
            }
            if listed {
                add(app)
                out.append(0x0A)
                for position in index..<end {
                    add(tiers[items[position].tier.order])
                    add(actions[Self.actions.firstIndex(of: items[position].action) ?? 0])
                    add(items[position].reason)
                    if !items[position].workflows.isEmpty { add(" [\(items[position].workflows.joined(separator: ", "))]") }
                    out.append(0x0A)
                    for blocked in items[position].blocked { add("    blocked \(blocked.workflow): \(blocked.reason)\n") }
                }
            }
            index = end
        }
        add(summary(plan) + "\n")
        return String(decoding: out, as: UTF8.self)
    }

    /// Every action, once (`allCases` makes a new array at each use).
    private static let actions = PlanItem.Action.allCases

    /// `3 to run, 27 unchanged, 1 workflow blocked`, then the rarer kinds when present.
    public static func summary(_ plan: Plan) -> String {
        // One walk over 30,000 items, not five; counts by action in an array (hashing an action hashes its name).
        var counts = Array(repeating: 0, count: Self.actions.count)
        var unchanged = 0, waiting = 0, gated = 0, blocked = 0
        let items = plan.items
        for index in items.indices {
            let action = items[index].action
            counts[Self.actions.firstIndex(of: action) ?? 0] += 1
            if items[index].isUnchanged { unchanged += 1 }
            if action == .skip && items[index].waiting { waiting += 1 }
            if items[index].gated { gated += 1 }
            // Blocked workflows, each counted once per pair, and pairs blocked with no workflow named (a prune
            // stopped by maxPrunePerPass, a required platform workflow missing) once each.
            let named = items[index].blocked.count
            blocked += named == 0 ? (action == .blocked ? 1 : 0) : named
        }
        func count(_ action: PlanItem.Action) -> Int { counts[Self.actions.firstIndex(of: action) ?? 0] }
        var parts = ["\(count(.run)) to run", "\(unchanged) unchanged",
                     "\(blocked) workflow\(blocked == 1 ? "" : "s") blocked"]
        if waiting > 0 { parts.append("\(waiting) waiting to retry") }
        if gated > 0 { parts.append("\(gated) gated") }
        let rare: [(PlanItem.Action, String)] = [(.prune, "to prune"), (.error, "in error"), (.stalled, "stalled"), (.suspended, "suspended")]
        for (action, label) in rare where count(action) > 0 { parts.append("\(count(action)) \(label)") }
        return parts.joined(separator: ", ")
    }

}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
