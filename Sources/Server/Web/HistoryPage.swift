import Foundation
import Reconciler
import Specs

/// `GET /history`: the recorded passes, newest first (commit with its subject, result, counts, duration),
/// and a chart of duration and result over them, drawn by the server as SVG.
struct HistoryPage {
    var passes: [ReconcileStatus]
    /// Commit id → the first line of its message, for the commits the cache holds.
    var subjects: [String: String]
    var signOut: Bool

    /// Pairs of a pass by result (the pairs it listed), with its unchanged ones.
    struct Counts: Sendable {
        var byResult: [TierStatus.Result: Int] = [:]
        var unchanged = 0

        init(_ status: ReconcileStatus) {
            unchanged = status.unchanged
            for app in status.apps.values {
                for tier in app.tiers.values { byResult[tier.result, default: 0] += 1 }
            }
        }

        var text: String {
            var parts = TierStatus.Result.allCases.compactMap { result in byResult[result].map { "\($0) \(result.rawValue)" } }
            parts.append("\(unchanged) unchanged")
            return parts.joined(separator: ", ")
        }
    }

    func render() -> String {
        PageLayout.document(title: "History", section: .history, signOut: signOut) { main in
            main.element("h1", text: "History")
            guard !passes.isEmpty else {
                main.element("p", ["class": "muted", "id": "no-passes"], text: "No pass has been recorded yet.")
                return
            }
            main.element("section", ["class": "card", "id": "chart"]) { card in
                card.element("h2", text: "Duration and result of the last \(passes.count) passes")
                chart(&card)
            }
            PageLayout.table(&main, ["id": "passes"], columns: ["Commit", "Result", "Pairs", "Started", "Duration"]) { body in
                for pass in passes {
                    body.element("tr", ["data-commit": pass.commit, "data-result": pass.result.rawValue]) { row in
                        row.element("td") { cell in
                            cell.element("code", text: PageLayout.short(pass.commit))
                            if let subject = subjects[pass.commit] { cell.element("div", ["class": "reason"], text: subject) }
                        }
                        row.element("td") { cell in
                            PageLayout.badge(&cell, pass.result.rawValue, state: pass.result.rawValue)
                            if let error = pass.error { cell.element("div", ["class": "reason"], text: error) }
                        }
                        row.element("td", ["class": "reason"], text: Counts(pass).text)
                        row.element("td", text: pass.startedAt)
                        row.element("td", text: Self.seconds(of: pass).map { Self.duration(milliseconds: $0 * 1000) } ?? "—")
                    }
                }
            }
        }
    }

    /// Bars oldest to newest, left to right: height by duration, colour by result; each with a tooltip.
    private func chart(_ card: inout HTML) {
        let shown = Array(passes.reversed())
        let seconds = shown.map { Self.seconds(of: $0) ?? 0 }
        let longest = max(1, seconds.max() ?? 1)
        let (width, height, top, bottom) = (600.0, 160.0, 16.0, 18.0)
        let slot = width / Double(max(shown.count, 1))
        let plot = height - top - bottom
        card.element("svg", ["class": "chart", "viewBox": "0 0 \(Int(width)) \(Int(height))", "role": "img",
                             "aria-label": "pass duration and result, oldest to newest", "xmlns": "http://www.w3.org/2000/svg"]) { svg in
            svg.element("text", ["x": "0", "y": "11"], text: "\(Self.duration(milliseconds: longest * 1000)) max")
            svg.void("line", ["class": "axis", "x1": "0", "y1": Self.number(height - bottom), "x2": Self.number(width),
                              "y2": Self.number(height - bottom)])
            for (index, pass) in shown.enumerated() {
                let barHeight = max(2, plot * Double(seconds[index]) / Double(longest))
                svg.element("rect", ["class": "bar-\(pass.result.rawValue)", "data-commit": pass.commit,
                                     "x": Self.number(Double(index) * slot + slot * 0.15), "y": Self.number(height - bottom - barHeight),
                                     "width": Self.number(max(1, slot * 0.7)), "height": Self.number(barHeight)]) { rect in
                    rect.element("title", text: "\(PageLayout.short(pass.commit)) · \(pass.result.rawValue) · "
                        + Self.duration(milliseconds: seconds[index] * 1000))
                }
            }
            svg.element("text", ["x": "0", "y": Self.number(height - 4)], text: "oldest")
            svg.element("text", ["x": Self.number(width), "y": Self.number(height - 4), "text-anchor": "end"], text: "newest")
        }
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Whole seconds from `startedAt` to `finishedAt` (RFC 3339), nil when either does not parse.
    static func seconds(of status: ReconcileStatus) -> Int? {
        let format = ISO8601DateFormatter()
        guard let start = format.date(from: status.startedAt), let end = format.date(from: status.finishedAt) else { return nil }
        return max(0, Int(end.timeIntervalSince(start).rounded()))
    }

    /// The one duration format (docs/ARCHITECTURE.md §15): `850ms`, `12s`, `1500ms`, as spec files write them.
    static func duration(milliseconds: Int) -> String {
        Duration.milliseconds(milliseconds).brief
    }
}
