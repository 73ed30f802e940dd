/// The frame every status page shares: the document head (viewport for phones, the served style sheet
/// and live-update script, no inline script or style, so the Content-Security-Policy can forbid both),
/// the navigation and the live badge the script fills.
enum PageLayout {
    enum Section: Sendable {
        case overview, workflows, history, other
    }

    /// A whole HTML document. `live`: load the script that reloads the page when a pass ends.
    static func document(title: String, section: Section, live: Bool = true, signOut: Bool = false,
                         _ body: (inout HTML) -> Void) -> String {
        var page = HTML()
        page.constant("<!DOCTYPE html>")
        page.element("html", ["lang": "en"]) { html in
            html.element("head") { head in
                head.void("meta", ["charset": "utf-8"])
                head.void("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"])
                head.void("meta", ["name": "color-scheme", "content": "light dark"])
                head.element("title", text: title + " · innominatus")
                head.void("link", ["rel": "stylesheet", "href": WebAssets.styleURL])
                head.void("link", ["rel": "icon", "href": WebAssets.iconURL, "type": "image/svg+xml"])
                if live { head.element("script", ["src": WebAssets.scriptURL, "defer": ""]) }
            }
            html.element("body") { content in
                content.element("header", ["class": "top"]) { header in
                    header.element("a", ["class": "brand", "href": "/"], text: "innominatus")
                    header.element("nav") { nav in
                        link(&nav, "/", "Overview", current: section == .overview)
                        link(&nav, "/workflows", "Workflows", current: section == .workflows)
                        link(&nav, "/history", "History", current: section == .history)
                    }
                    if live { header.element("span", ["id": "live", "class": "live", "data-state": "off"], text: "connecting") }
                    if signOut {
                        header.element("form", ["method": "post", "action": "/logout", "class": "signout"]) { form in
                            form.element("button", ["type": "submit"], text: "Sign out")
                        }
                    }
                }
                content.element("main") { main in body(&main) }
            }
        }
        return page.markup
    }

    private static func link(_ nav: inout HTML, _ href: String, _ text: String, current: Bool) {
        nav.element("a", ["href": href, "aria-current": current ? "page" : nil], text: text)
    }

    /// `abcdef1` for a commit id.
    static func short(_ commit: String?) -> String {
        guard let commit else { return "—" }
        return String(commit.prefix(7))
    }

    /// A state as a coloured badge, with its word (colour is never the only sign).
    static func badge(_ html: inout HTML, _ text: String, state: String) {
        html.element("span", ["class": "badge s-\(state)"], text: text)
    }

    /// A table in its scrolling wrapper: a header row of `columns` (those in `hideNarrow` hidden on a
    /// phone), then the body `rows` writes.
    static func table(_ html: inout HTML, _ attributes: KeyValuePairs<StaticString, String?> = [:], columns: [String],
                      hideNarrow: Set<String> = [], rows: (inout HTML) -> Void) {
        html.element("div", ["class": "table"]) { wrapper in
            wrapper.element("table", attributes) { table in
                table.element("thead") { head in
                    head.element("tr") { row in
                        for title in columns {
                            row.element("th", ["class": hideNarrow.contains(title) ? "hide-narrow" : nil], text: title)
                        }
                    }
                }
                table.element("tbody", [:], rows)
            }
        }
    }

    /// A definition list of label → value.
    static func facts(_ html: inout HTML, _ facts: [(String, String)]) {
        html.element("dl", ["class": "facts"]) { list in
            for (label, value) in facts {
                list.element("div") { pair in
                    pair.element("dt", text: label)
                    pair.element("dd", text: value)
                }
            }
        }
    }
}
