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

    /// - Parameter tally: the counts of every item when `plan.items` holds only the apps the text lists (an
    ///   incremental plan's, docs/ARCHITECTURE.md §18); nil counts `plan.items`.
    public static func text(_ plan: Plan, tally: Tally? = nil) -> String {
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
        add(summary(tally ?? Tally(plan.items)) + "\n")
        return String(decoding: out, as: UTF8.self)
    }

    /// Every action, once (`allCases` makes a new array at each use).
    static let actions = PlanItem.Action.allCases

    /// `3 to run, 27 unchanged, 1 workflow blocked`, then the rarer kinds when present.
    public static func summary(_ plan: Plan) -> String { summary(Tally(plan.items)) }

    public static func summary(_ tally: Tally) -> String {
        func count(_ action: PlanItem.Action) -> Int { tally.actions[Self.actions.firstIndex(of: action) ?? 0] }
        var parts = ["\(count(.run)) to run", "\(tally.unchanged) unchanged",
                     "\(tally.blocked) workflow\(tally.blocked == 1 ? "" : "s") blocked"]
        if tally.waiting > 0 { parts.append("\(tally.waiting) waiting to retry") }
        if tally.gated > 0 { parts.append("\(tally.gated) gated") }
        let rare: [(PlanItem.Action, String)] = [(.prune, "to prune"), (.error, "in error"), (.stalled, "stalled"), (.suspended, "suspended")]
        for (action, label) in rare where count(action) > 0 { parts.append("\(count(action)) \(label)") }
        return parts.joined(separator: ", ")
    }

    /// What the summary line counts. Sums of one term per item, so an incremental plan takes the replaced
    /// items' terms out and adds the fresh ones' (docs/ARCHITECTURE.md §18) instead of counting 30,000 items.
    public struct Tally: Sendable, Hashable {
        /// Per action, in `PlanItem.Action.allCases` order (hashing an action hashes its name).
        public var actions = Array(repeating: 0, count: PlanRendering.actions.count)
        public var unchanged = 0, waiting = 0, gated = 0
        /// Blocked workflows, each counted once per pair, and pairs blocked with no workflow named (a prune
        /// stopped by maxPrunePerPass, a required platform workflow missing) once each.
        public var blocked = 0

        public init() {}

        public init<Items: Collection<PlanItem>>(_ items: Items) {
            for item in items { add(item) }
        }

        /// Adds one item's terms (`sign` -1 takes them out).
        public mutating func add(_ item: PlanItem, sign: Int = 1) {
            actions[PlanRendering.actions.firstIndex(of: item.action) ?? 0] += sign
            if item.isUnchanged { unchanged += sign }
            if item.action == .skip && item.waiting { waiting += sign }
            if item.gated { gated += sign }
            let named = item.blocked.count
            blocked += sign * (named == 0 ? (item.action == .blocked ? 1 : 0) : named)
        }

        /// The fields as the plan memo stores them, and back.
        var fields: [Int] { actions + [unchanged, waiting, gated, blocked] }

        init?(fields: [Int]) {
            guard fields.count == PlanRendering.actions.count + 4 else { return nil }
            actions = Array(fields.prefix(PlanRendering.actions.count))
            (unchanged, waiting, gated, blocked) = (fields[fields.count - 4], fields[fields.count - 3], fields[fields.count - 2],
                                                    fields[fields.count - 1])
        }
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
