import Foundation
import Planner
import Reconciler
import Specs

/// `GET /apps/{name}`: per tier what the applied state and the next pass say (the app's `AppView`), the
/// workflows and steps of the last run that recorded the tier (from the status notes: result, exit code,
/// duration, masked log tail), blocked workflows with the approve command, resources, the delivered
/// manifests' commit and the passes that listed the app.
struct AppPage {
    var app: AppView
    /// The passes that listed the app, newest first.
    var history: [ReconcileStatus]
    /// Workflow → `innominatus approve …`, for the blocked workflows approving unblocks.
    var approvals: [String: String]
    var signOut: Bool

    func render() -> String {
        PageLayout.document(title: app.name, section: .other, signOut: signOut) { main in
            main.element("p", ["class": "muted"]) { crumbs in
                crumbs.element("a", ["href": "/"], text: "Overview")
                crumbs.text(" / app")
            }
            main.element("h1", ["id": "app-name"], text: app.name)
            main.element("section", ["class": "card"]) { card in
                var facts = [("Product", app.product ?? "none"),
                             ("On the branch", app.present ? "yes" : "no: its Score file is gone (pruned)")]
                if app.suspended { facts.append(("Suspended", "yes (innominatus.dev/suspend)")) }
                if let delivered = delivery { facts.append(("Delivered manifests", delivered)) }
                PageLayout.facts(&card, facts)
                if !app.errors.isEmpty {
                    card.element("h3", text: "Errors in the app's files")
                    card.element("ul", ["class": "errors", "id": "app-errors"]) { list in
                        for error in app.errors { list.element("li", ["class": "mono"], text: error) }
                    }
                }
            }
            for tier in Tier.allCases { section(&main, tier) }
            runs(&main)
        }
    }

    /// The environment branch commit of the newest pass that delivered this app's folder.
    private var delivery: String? {
        for status in history {
            guard let delivery = status.delivery, delivery.apps.contains(app.name), let commit = delivery.commit else { continue }
            return "\(delivery.branch) at \(PageLayout.short(commit)) (pass over \(PageLayout.short(status.commit)))"
        }
        return nil
    }

    private func section(_ main: inout HTML, _ tier: Tier) {
        let view = app.tiers[tier.rawValue]
        let state = PairState(view)
        main.element("section", ["class": "card tier", "id": "tier-\(tier.rawValue)", "data-state": state.rawValue]) { card in
            card.element("h2") { title in
                title.text("\(tier.rawValue) tier ")
                PageLayout.badge(&title, state.label, state: state.rawValue)
            }
            guard let view else {
                card.element("p", ["class": "muted"], text: state.meaning)
                return
            }
            var facts: [(String, String)] = [("Next pass", view.next ?? "—"), ("Last result", view.lastResult ?? "never ran")]
            if let fingerprint = view.fingerprint { facts.append(("Fingerprint", fingerprint)) }
            if let attempts = view.attempts, attempts > 0 { facts.append(("Failed attempts", "\(attempts)")) }
            if let millis = view.lastAttemptMs {
                facts.append(("Last attempt", Date(timeIntervalSince1970: Double(millis) / 1000).formatted(.iso8601)))
            }
            if let workflows = view.workflows, !workflows.isEmpty { facts.append(("Runs next", workflows.joined(separator: ", "))) }
            PageLayout.facts(&card, facts)
            if let reason = view.reason { card.element("p", ["class": "reason"], text: reason) }
            if let blocked = view.blocked, !blocked.isEmpty {
                card.element("h3", text: "Blocked workflows")
                card.element("ul", ["class": "blocked"]) { list in
                    for entry in blocked {
                        list.element("li", ["data-workflow": entry.workflow]) { item in
                            item.element("code", text: entry.workflow)
                            item.text(": \(entry.reason)")
                            if let approve = approvals[entry.workflow] {
                                item.text(" — approve with ")
                                item.element("code", text: approve)
                            }
                        }
                    }
                }
            }
            lastRun(&card, tier)
            resources(&card, tier)
        }
    }

    /// The newest recorded run of the tier that has workflows.
    private func lastRun(_ card: inout HTML, _ tier: Tier) {
        guard let status = history.first(where: { $0.apps[app.name]?.tiers[tier]?.workflows?.isEmpty == false }),
              let record = status.apps[app.name]?.tiers[tier] else { return }
        card.element("h3") { title in
            title.text("Last run, pass over ")
            title.element("code", text: PageLayout.short(status.commit))
            title.text(" at \(status.startedAt) ")
            PageLayout.badge(&title, record.result.rawValue, state: record.result.rawValue)
        }
        for workflow in record.workflows ?? [] {
            card.element("div", ["class": "workflow", "data-workflow": workflow.name]) { block in
                block.element("p") { line in
                    line.element("strong", text: workflow.name)
                    line.text(" · \(workflow.phase) ")
                    PageLayout.badge(&line, workflow.result, state: workflow.result)
                }
                PageLayout.table(&block, ["class": "steps"], columns: ["Step", "Result", "Exit code", "Duration"]) { body in
                    for step in workflow.steps {
                        body.element("tr", ["data-step": step.name]) { row in
                            row.element("td", ["class": "mono"], text: step.name)
                            row.element("td") { cell in PageLayout.badge(&cell, step.result, state: step.result) }
                            row.element("td", text: step.exitCode.map { "\($0)" } ?? "—")
                            row.element("td", text: HistoryPage.duration(milliseconds: step.durationMs))
                        }
                        if let log = step.log, !log.isEmpty {
                            body.element("tr") { row in
                                row.element("td", ["colspan": "4"]) { cell in
                                    cell.element("pre", ["class": "log", "data-step-log": step.name],
                                                 text: log.joined(separator: "\n"))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private func resources(_ card: inout HTML, _ tier: Tier) {
        guard let resources = history.lazy.compactMap({ $0.apps[app.name]?.tiers[tier]?.resources }).first,
              !resources.isEmpty else { return }
        card.element("h3", text: "Resources (non-secret outputs)")
        card.element("div", ["class": "table"]) { wrapper in
            wrapper.element("table", ["class": "resources"]) { table in
                table.element("tbody") { body in
                    for (name, outputs) in resources.sorted(by: { $0.key < $1.key }) {
                        body.element("tr", ["data-resource": name]) { row in
                            row.element("td", ["class": "mono"], text: name)
                            row.element("td", ["class": "mono"],
                                        text: outputs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "  "))
                        }
                    }
                }
            }
        }
    }

    private func runs(_ main: inout HTML) {
        main.element("section", ["id": "runs"]) { section in
            section.element("h2", text: "Passes that listed the app")
            guard !history.isEmpty else {
                section.element("p", ["class": "muted"], text: "None recorded: no pass has run or changed it yet.")
                return
            }
            PageLayout.table(&section, columns: ["Commit", "Started", "Pass"] + Tier.allCases.map(\.rawValue)) { body in
                for status in history {
                    body.element("tr") { row in
                        row.element("td", ["class": "mono"], text: PageLayout.short(status.commit))
                        row.element("td", text: status.startedAt)
                        row.element("td") { cell in PageLayout.badge(&cell, status.result.rawValue, state: status.result.rawValue) }
                        for tier in Tier.allCases {
                            row.element("td") { cell in
                                guard let record = status.apps[app.name]?.tiers[tier] else { cell.text("—"); return }
                                PageLayout.badge(&cell, record.result.rawValue, state: record.result.rawValue)
                            }
                        }
                    }
                }
            }
        }
    }
}
