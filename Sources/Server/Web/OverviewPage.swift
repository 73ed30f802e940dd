import Reconciler
import Specs

/// `GET /`: every app × tier coloured by state, counts per state, the blocked workflows, the last pass
/// and the environment branch; filtered by product, state and name, a page of 100 apps at a time.
struct OverviewPage {
    var board: StatusBoard
    var filter: StatusBoard.Filter
    var lastPass: ReconcileStatus?
    var environmentCommit: String?
    /// Why this server's last pass could not start, when it could not.
    var loopProblem: String?
    var signOut: Bool

    func render() -> String {
        let page = board.page(filter)
        let title = lastPass.map { "Overview · \($0.result.rawValue) at \(PageLayout.short($0.commit))" } ?? "Overview"
        return PageLayout.document(title: title, section: .overview, signOut: signOut) { main in
            main.element("h1", text: "Overview")
            if !board.planErrors.isEmpty {
                main.element("section", ["class": "card banner", "id": "plan-errors"]) { card in
                    card.element("h2", text: "Nothing runs: the admin config is invalid")
                    card.element("ul", ["class": "errors"]) { list in
                        for error in board.planErrors { list.element("li", text: error) }
                    }
                }
            }
            if let loopProblem {
                main.element("section", ["class": "card banner", "id": "loop-problem"]) { card in
                    card.element("h2", text: "The last pass could not start")
                    card.element("p", ["class": "reason"], text: loopProblem)
                }
            }
            summary(&main)
            counts(&main)
            blocked(&main)
            filters(&main)
            grid(&main, page)
        }
    }

    private func summary(_ main: inout HTML) {
        main.element("section", ["class": "card", "id": "summary"]) { card in
            card.element("dl", ["class": "facts"]) { list in
                list.element("div", ["id": "last-pass"]) { pair in
                    pair.element("dt", text: "Last pass")
                    pair.element("dd") { value in
                        guard let pass = lastPass else { value.text("none recorded yet"); return }
                        PageLayout.badge(&value, pass.result.rawValue, state: pass.result.rawValue)
                        value.text(" ")
                        value.element("code", text: PageLayout.short(pass.commit))
                        value.text(" · \(pass.finishedAt)")
                        if let error = pass.error { value.element("div", ["class": "reason"], text: error) }
                    }
                }
                fact(&list, "Branch head", PageLayout.short(board.commit), id: "head")
                fact(&list, "Applied commit", PageLayout.short(board.appliedCommit), id: "applied")
                if let branch = board.deliveryBranch {
                    fact(&list, "Environment branch \(branch)", environmentCommit.map { PageLayout.short($0) } ?? "not delivered yet",
                         id: "environment")
                } else {
                    fact(&list, "Environment branch", "delivery is off", id: "environment")
                }
                fact(&list, "Apps", "\(board.rows.count)", id: "app-count")
            }
        }
    }

    private func fact(_ list: inout HTML, _ label: String, _ value: String, id: String) {
        list.element("div", ["id": id]) { pair in
            pair.element("dt", text: label)
            pair.element("dd", ["class": "mono"], text: value)
        }
    }

    private func counts(_ main: inout HTML) {
        main.element("ul", ["class": "counts", "id": "counts", "aria-label": "pairs per state"]) { list in
            for state in PairState.allCases where state != .notApplicable {
                guard let count = board.counts[state], count > 0 else { continue }
                list.element("li", ["data-state": state.rawValue, "data-count": "\(count)", "title": state.meaning]) { item in
                    item.element("a", ["href": PageLink.path("/", [("result", state.rawValue)])]) { link in
                        PageLayout.badge(&link, "\(state.label) \(count)", state: state.rawValue)
                    }
                }
            }
        }
    }

    private func blocked(_ main: inout HTML) {
        guard !board.blocked.isEmpty else { return }
        main.element("section", ["id": "blocked"]) { section in
            section.element("h2", text: "Blocked workflows")
            PageLayout.table(&section, columns: ["Workflow", "Reason", "Apps", "To unblock"]) { body in
                for entry in board.blocked {
                    body.element("tr", ["data-workflow": entry.workflow]) { row in
                        row.element("td", ["class": "mono"], text: entry.workflow)
                        row.element("td", ["class": "reason"], text: entry.reason)
                        row.element("td", text: "\(entry.apps)")
                        row.element("td") { cell in
                            if let approve = entry.approve { cell.element("code", text: approve) } else { cell.text("fix the file") }
                        }
                    }
                }
            }
        }
    }

    private func filters(_ main: inout HTML) {
        main.element("form", ["class": "filters", "method": "get", "action": "/", "id": "filters"]) { form in
            form.element("label") { label in
                label.text("Product")
                label.element("select", ["name": "product"]) { select in
                    option(&select, "", "all", selected: filter.product == nil)
                    option(&select, StatusBoard.Filter.noProduct, "no product", selected: filter.product == StatusBoard.Filter.noProduct)
                    for product in board.products { option(&select, product, product, selected: filter.product == product) }
                }
            }
            form.element("label") { label in
                label.text("State")
                label.element("select", ["name": "result"]) { select in
                    option(&select, "", "any", selected: filter.state == nil)
                    for state in PairState.allCases where state != .notApplicable {
                        option(&select, state.rawValue, state.label, selected: filter.state == state)
                    }
                }
            }
            form.element("label") { label in
                label.text("Name")
                label.void("input", ["type": "search", "name": "q", "value": filter.name ?? "", "placeholder": "part of a name"])
            }
            form.element("button", ["type": "submit"], text: "Filter")
            if filter.product != nil || filter.state != nil || filter.name != nil {
                form.element("a", ["href": "/"], text: "clear")
            }
        }
    }

    private func option(_ select: inout HTML, _ value: String, _ text: String, selected: Bool) {
        select.element("option", ["value": value, "selected": selected ? "" : nil], text: text)
    }

    private func grid(_ main: inout HTML, _ page: StatusBoard.Page) {
        pages(&main, page)
        PageLayout.table(&main, ["id": "grid"], columns: ["App", "Product"] + StatusBoard.tiers.map(\.rawValue),
                         hideNarrow: ["Product"]) { body in
            for app in page.rows {
                body.element("tr", ["data-app": app.name]) { row in
                    row.element("td", ["class": "app"]) { cell in
                        cell.element("a", ["href": PageLink.app(app.name)], text: app.name)
                        if app.blocked > 0 {
                            cell.element("span", ["class": "muted", "title": "workflows that may not run"],
                                         text: " · \(app.blocked) blocked")
                        }
                    }
                    row.element("td", ["class": "hide-narrow"], text: app.product ?? "—")
                    for index in StatusBoard.tiers.indices {
                        let state = app.states[index]
                        row.element("td", ["class": "cell", "data-tier": StatusBoard.tiers[index].rawValue,
                                           "data-state": state.rawValue, "title": app.reasons[index] ?? state.meaning]) { cell in
                            PageLayout.badge(&cell, state.label, state: state.rawValue)
                        }
                    }
                }
            }
        }
        if page.rows.isEmpty { main.element("p", ["class": "muted", "id": "no-apps"], text: "No app matches.") }
        pages(&main, page)
    }

    private func pages(_ main: inout HTML, _ page: StatusBoard.Page) {
        main.element("div", ["class": "pages", "data-page": "\(page.number)", "data-pages": "\(page.count)"]) { bar in
            bar.element("span", ["class": "range"],
                        text: "Apps \(page.first)–\(page.last) of \(page.matching) · page \(page.number) of \(page.count)")
            if page.number > 1 {
                bar.element("a", ["rel": "prev", "href": PageLink.path("/", filter.query(page: page.number - 1))], text: "‹ previous")
            }
            if page.number < page.count {
                bar.element("a", ["rel": "next", "href": PageLink.path("/", filter.query(page: page.number + 1))], text: "next ›")
            }
        }
    }
}
