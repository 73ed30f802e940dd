import Reconciler
import Specs

/// `GET /workflows`: the catalog (`WorkflowCatalog`, as `GET /api/v1/workflows`) by tier and product, with
/// approval state: approved, the pinned digest, or blocked with the reason the plan gives and the
/// approve command.
struct WorkflowsPage {
    var catalog: WorkflowCatalog
    /// The plan's blocked workflows by name (reason, apps, approve command).
    var blocked: [String: Preview.Blocked]
    var signOut: Bool

    func render() -> String {
        PageLayout.document(title: "Workflows", section: .workflows, signOut: signOut) { main in
            main.element("h1", text: "Workflows")
            main.element("p", ["class": "muted"]) { line in
                line.text("At the branch head ")
                line.element("code", text: PageLayout.short(catalog.commit))
                line.text(". Product workflows run only when the admin config's allowedProductWorkflows lists them.")
            }
            group(&main, "Platform tier", id: "tier-platform", catalog.entries.filter { $0.tier == .platform })
            for product in catalog.products {
                let entries = catalog.workflows(ofProduct: product)
                guard !entries.isEmpty else { continue }
                group(&main, "Product tier: \(product)", id: "product-\(product)", entries)
            }
            group(&main, "Application tier", id: "tier-application", catalog.entries.filter { $0.tier == .application })
        }
    }

    private func group(_ main: inout HTML, _ title: String, id: String, _ entries: [WorkflowEntry]) {
        main.element("section", ["id": id]) { section in
            section.element("h2", text: title)
            guard !entries.isEmpty else {
                section.element("p", ["class": "muted"], text: "No workflows.")
                return
            }
            PageLayout.table(&section, ["class": "workflows"], columns: ["Workflow", "Phase", "Triggers", "Owner", "Steps", "Approval"]) { body in
                for entry in entries { self.row(&body, entry) }
            }
        }
    }

    private func row(_ body: inout HTML, _ entry: WorkflowEntry) {
        let plan = blocked[entry.name]
        let state = plan != nil || entry.approval != .approved || !entry.errors.isEmpty ? "blocked" : "approved"
        body.element("tr", ["data-workflow": entry.name, "data-approval": state]) { row in
            row.element("td") { cell in
                cell.element("code", text: entry.name)
                if let description = entry.description { cell.element("div", ["class": "reason"], text: description) }
            }
            row.element("td", text: entry.phase ?? "—")
            row.element("td", text: entry.triggers.joined(separator: ", "))
            row.element("td", text: entry.owner ?? "—")
            row.element("td", text: entry.steps.map { "\($0.name) (\($0.type))" }.joined(separator: ", "))
            row.element("td", ["class": "approval"]) { cell in
                if state == "approved" {
                    PageLayout.badge(&cell, "approved", state: "approved")
                    if let pinned = entry.pinned {
                        cell.element("div", ["class": "reason mono"], text: "pinned \(pinned)")
                    } else if entry.approvalRequired {
                        cell.element("div", ["class": "reason"], text: "listed without a pin")
                    }
                    return
                }
                PageLayout.badge(&cell, "blocked", state: "blocked")
                cell.element("div", ["class": "reason"], text: plan?.reason ?? Self.reason(entry))
                for error in entry.errors { cell.element("div", ["class": "reason mono errors"], text: error) }
                if let count = plan?.apps { cell.element("div", ["class": "reason"], text: "blocked for \(count) app(s)") }
                if let approve = plan?.approve ?? (entry.tier == .product && entry.errors.isEmpty ? "innominatus approve \(entry.name)" : nil) {
                    cell.element("div") { line in
                        line.text("approve with ")
                        line.element("code", text: approve)
                    }
                }
            }
        }
    }

    /// The approval state in words, for a workflow no plan item names (no app of its product yet).
    static func reason(_ entry: WorkflowEntry) -> String {
        switch entry.approval {
        case .approved: entry.errors.isEmpty ? "may not run" : "invalid"
        case .notApproved: "not in allowedProductWorkflows"
        case .changedSinceApproval: "changed since it was approved (pinned \(entry.pinned ?? "?"))"
        }
    }
}
