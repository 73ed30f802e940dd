import Foundation
import Planner
import Reconciler
import Specs

/// What the overview shows of every app, made from one read of the platform (the same `AppView`s as
/// `GET /api/v1/apps`) and then filtered and cut into pages per request.
struct StatusBoard: Sendable {
    struct Row: Sendable {
        var name: String
        var product: String?
        var states: [PairState]
        var reasons: [String?]
        var results: [String?]
        /// Workflows of the app that may not run (in any tier).
        var blocked: Int
        var errors: [String]
    }

    /// What `?product=&result=&q=&page=` asks for.
    struct Filter: Sendable, Equatable {
        static let noProduct = "-"
        static let pageSize = 100

        var product: String?
        var state: PairState?
        /// Part of the app's name, case-insensitive.
        var name: String?
        var page = 1

        init(query: FormFields) {
            product = query.nonEmpty("product")
            state = query.nonEmpty("result").flatMap(PairState.init(rawValue:))
            name = query.nonEmpty("q")
            page = max(1, Int(query.nonEmpty("page") ?? "") ?? 1)
        }

        func keeps(_ row: Row) -> Bool {
            if let product {
                if product == Self.noProduct ? row.product != nil : row.product != product { return false }
            }
            if let state, !row.states.contains(state) { return false }
            if let name, !row.name.localizedCaseInsensitiveContains(name) { return false }
            return true
        }

        /// The query of this filter at another page.
        func query(page: Int?) -> [(String, String?)] {
            [("product", product), ("result", state?.rawValue), ("q", name), ("page", page.map { "\($0)" })]
        }
    }

    /// One page of the filtered rows.
    struct Page: Sendable {
        var rows: ArraySlice<Row>
        /// Rows kept by the filter, over all pages.
        var matching: Int
        var number: Int
        var count: Int
        /// 1-based positions of the first and last row shown (0, 0 when none).
        var first: Int
        var last: Int
    }

    static let tiers = Tier.allCases

    var commit: String
    var appliedCommit: String?
    var rows: [Row]
    /// Pairs per state, over every app (`notApplicable` is not counted).
    var counts: [PairState: Int]
    var products: [String]
    /// Each blocked workflow once, with its reason, the number of apps and the approve command.
    var blocked: [Preview.Blocked]
    /// Errors that stop every pass (an invalid admin config).
    var planErrors: [String]
    var deliveryBranch: String?

    init(_ outcome: PlanningPass.Outcome) {
        commit = outcome.plan.commit
        appliedCommit = outcome.applied.commit
        var counts: [PairState: Int] = [:]
        var products: Set<String> = []
        rows = AppView.all(outcome).map { app in
            let tiers = Self.tiers.map { app.tiers[$0.rawValue] }
            let states = tiers.map { PairState($0) }
            for state in states where state != .notApplicable { counts[state, default: 0] += 1 }
            if let product = app.product { products.insert(product) }
            return Row(name: app.name, product: app.product, states: states, reasons: tiers.map { $0?.reason },
                       results: tiers.map { $0?.lastResult },
                       blocked: tiers.reduce(0) { $0 + ($1?.blocked?.count ?? 0) }, errors: app.errors)
        }
        self.counts = counts
        self.products = products.sorted()
        blocked = PreviewPass.blocked(in: outcome.plan, desired: outcome.desired)
        planErrors = outcome.plan.errors
        deliveryBranch = outcome.desired.config.delivery.enabled ? outcome.desired.config.delivery.branch : nil
    }

    /// The rows `filter` keeps, cut at its page (a page past the last shows the last).
    func page(_ filter: Filter) -> Page {
        let kept = rows.filter(filter.keeps)
        let count = max(1, (kept.count + Filter.pageSize - 1) / Filter.pageSize)
        let number = min(filter.page, count)
        let start = (number - 1) * Filter.pageSize
        let end = min(kept.count, start + Filter.pageSize)
        return Page(rows: kept[start..<end], matching: kept.count, number: number, count: count,
                    first: kept.isEmpty ? 0 : start + 1, last: end)
    }
}
