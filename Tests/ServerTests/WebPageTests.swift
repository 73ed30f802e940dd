import Foundation
import TestSupport
import Testing

/// The status pages of a real `innominatus serve` over a real platform repository, loaded in a real
/// browser (Debian's headless Chromium): the DOM after scripts ran, screenshots, live reloads.
/// One test at a time: each starts a `serve` and Chromium, and at once they would crowd out the
/// timing-sensitive tests of other suites on a 2-core machine.
@Suite("Status pages in a browser", .serialized)
struct WebPageTests {
    static func short(_ commit: String) -> String { String(commit.prefix(7)) }

    static func encoded(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
    }

    @Test func overviewShowsEveryAppAndTierColouredByState() async throws {
        let fixture = try await WebFixture()
        let browser = try Browser(in: fixture.git.root.path)
        let head = try fixture.git.git("rev-parse", "HEAD")
        let environment = try fixture.git.remoteGit("rev-parse", "env/main")
        let page = try fixture.dom("/", browser: browser)

        #expect(page.state(of: "checkout", tier: "platform") == "succeeded")
        #expect(page.state(of: "checkout", tier: "product") == "succeeded")
        #expect(page.state(of: "checkout", tier: "application") == "succeeded")
        #expect(page.state(of: "search", tier: "product") == "none")
        #expect(page.state(of: "broken", tier: "application") == "failed")
        #expect(page.state(of: "billing", tier: "product") == "blocked")
        #expect(page.state(of: "billing", tier: "application") == "succeeded")
        #expect(page.state(of: "paused", tier: "application") == "suspended")
        #expect(page.apps.count == 6, "\(page.apps)")
        #expect(page.tags(with: "href", "/apps/checkout").count == 1)

        // Counts per state: one failed pair, one blocked, three suspended, three errors (the hostile app).
        #expect(page.tags(with: "data-state", "failed").contains { $0.contains("data-count=\"1\"") })
        #expect(page.tags(with: "data-state", "suspended").contains { $0.contains("data-count=\"3\"") })
        #expect(page.tags(with: "data-state", "error").contains { $0.contains("data-count=\"3\"") })
        // The blocked workflows, each once, with how many apps and the approve command.
        #expect(page.tags(with: "data-workflow", "ecommerce/rogue").count == 1)
        #expect(page.tags(with: "data-workflow", "payments/ledger").count == 1)
        #expect(page.contains("<code>innominatus approve payments/ledger</code>"))
        // The last pass and the environment branch.
        #expect(page.contains("<code>\(Self.short(head))</code>"), "the last pass's commit")
        #expect(page.contains(">partial<"), "the last pass's result")
        #expect(page.contains(Self.short(environment)), "the environment branch's commit")
        #expect(page.contains("<title>Overview · partial at \(Self.short(head)) · innominatus</title>"))
        #expect(page.contains("Apps 1–6 of 6 · page 1 of 1"))

        // Filters by state, product and name, through the page's own form fields.
        #expect(try fixture.dom("/?result=failed", browser: browser).apps == ["broken"])
        #expect(try fixture.dom("/?product=ecommerce", browser: browser).apps == ["checkout"])
        #expect(try fixture.dom("/?product=-&q=SEA", browser: browser).apps == ["search"])
        #expect(try fixture.dom("/?result=blocked&product=payments", browser: browser).apps == ["billing"])
        let none = try fixture.dom("/?q=nothing-like-it", browser: browser)
        #expect(none.apps.isEmpty)
        #expect(none.contains("No app matches."))
    }

    /// App names, reasons and log lines are input: they must arrive as text, never as markup or script.
    @Test func hostileNamesReasonsAndLogLinesAreShownAsText() async throws {
        let fixture = try await WebFixture()
        let browser = try Browser(in: fixture.git.root.path)
        let overview = try fixture.dom("/", browser: browser)
        let hostilePage = try fixture.dom("/apps/\(Self.encoded(WebFixture.hostileApp))", browser: browser)
        let broken = try fixture.dom("/apps/broken", browser: browser)
        for (name, page) in [("overview", overview), ("hostile app", hostilePage), ("broken app", broken)] {
            #expect(!page.contains("pwned</title>"), "\(name): a script ran")
            #expect(!page.contains("<script>document"), "\(name): a script element was made from input")
            #expect(!page.contains("<img src"), "\(name): an img element was made from input")
            #expect(!page.contains("<b>bold"), "\(name): markup from input")
        }
        // The folder name as text in the grid and as the page's heading; the Score's name in the reason.
        #expect(overview.contains("&lt;img src=x onerror=alert(1)&gt;</a>"))
        #expect(hostilePage.contains("<h1 id=\"app-name\">&lt;img src=x onerror=alert(1)&gt;</h1>"))
        #expect(hostilePage.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"), "the reason names the Score's name")
        #expect(hostilePage.tags(with: "data-state", "error").count == 3)
        // The failing step's log tail, escaped, in a pre.
        #expect(broken.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; done"))

        // Every page answers with the policy that forbids inline script, and the assets it needs are served.
        let answer = try await fixture.client.get("/apps/broken")
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type") == "text/html; charset=utf-8")
        let policy = answer.header("Content-Security-Policy") ?? ""
        #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
        #expect(answer.header("X-Content-Type-Options") == "nosniff")
        let scriptTag = try #require(DOM(text: answer.text).tags(withAttribute: "src").first { $0.hasPrefix("script") })
        let scriptPath = try #require(DOM.attribute("src", of: scriptTag))
        let script = try await fixture.client.get(scriptPath.replacingOccurrences(of: "&amp;", with: "&"))
        #expect(script.status == 200)
        #expect(script.header("Content-Type")?.hasPrefix("text/javascript") == true)
        #expect(script.text.contains("new EventSource(\"/events\")"))
        #expect(!answer.text.contains("<script>"), "an inline script in the page")
        #expect(!answer.text.contains(" style=\""), "an inline style in the page")
    }

    @Test func appPageShowsTiersStepsLogsAndBlockedWorkflows() async throws {
        let fixture = try await WebFixture()
        let browser = try Browser(in: fixture.git.root.path)
        let head = try fixture.git.git("rev-parse", "HEAD")
        let environment = try fixture.git.remoteGit("rev-parse", "env/main")

        let broken = try fixture.dom("/apps/broken", browser: browser)
        #expect(broken.tags(with: "id", "tier-application").first?.contains("data-state=\"failed\"") == true)
        #expect(broken.tags(with: "id", "tier-platform").first?.contains("data-state=\"succeeded\"") == true)
        #expect(broken.tags(withAttribute: "data-workflow").contains { $0.contains("smoke\"") }, "the failed workflow of the last run")
        #expect(broken.contains("<td>3</td>"), "the failed step's exit code")
        #expect(broken.tags(with: "data-step-log", "go").count >= 1)

        let checkout = try fixture.dom("/apps/checkout", browser: browser)
        #expect(checkout.contains("<h1 id=\"app-name\">checkout</h1>"))
        #expect(checkout.contains("ecommerce"))
        #expect(checkout.contains("<code>innominatus approve ecommerce/rogue</code>"))
        #expect(checkout.contains("env/main at \(Self.short(environment))"), "the delivered manifests' commit")
        #expect(checkout.contains("database-setup"), "the product tier's last run")
        #expect(checkout.contains(Self.short(head)))
        // Its database: the non-secret outputs are shown, the generated password is not.
        let resource = try #require(checkout.tags(with: "data-resource", "db").first, "no resources row")
        #expect(resource.hasPrefix("tr"))
        let state = try String(contentsOfFile: fixture.git.root.appending("workdir/resources/apps/checkout.json"), encoding: .utf8)
        let password = String(try #require(state.firstMatch(of: /"password": "([^"]+)"/)).1)
        #expect(checkout.contains("host="), "the resource's outputs")
        #expect(!checkout.contains(password), "the generated password is on the page")

        let billing = try fixture.dom("/apps/billing", browser: browser)
        #expect(billing.tags(with: "id", "tier-product").first?.contains("data-state=\"blocked\"") == true)
        #expect(billing.contains("<code>innominatus approve payments/ledger</code>"))

        let missing = try await fixture.client.get("/apps/nope")
        #expect(missing.status == 404)
        #expect(missing.header("Content-Type") == "text/html; charset=utf-8")
        #expect(missing.text.contains("No app &#39;nope&#39;"))
    }

    @Test func workflowsAndHistoryPages() async throws {
        let fixture = try await WebFixture()
        let browser = try Browser(in: fixture.git.root.path)
        let head = try fixture.git.git("rev-parse", "HEAD")

        let workflows = try fixture.dom("/workflows", browser: browser)
        #expect(workflows.tags(with: "data-workflow", "security-scan").first?.contains("data-approval=\"approved\"") == true)
        #expect(workflows.tags(with: "data-workflow", "ecommerce/database-setup").first?.contains("data-approval=\"approved\"") == true)
        #expect(workflows.tags(with: "data-workflow", "ecommerce/rogue").first?.contains("data-approval=\"blocked\"") == true)
        #expect(workflows.tags(with: "data-workflow", "payments/ledger").first?.contains("data-approval=\"blocked\"") == true)
        #expect(workflows.contains("<code>innominatus approve ecommerce/rogue</code>"))
        #expect(workflows.tags(with: "id", "product-payments").count == 1)
        #expect(workflows.tags(with: "data-workflow", "broken/smoke").count == 1)

        let history = try fixture.dom("/history", browser: browser)
        let rows = history.tags(withAttribute: "data-result")
        #expect(rows.count == 1)
        #expect(rows.first?.contains("data-commit=\"\(head)\"") == true)
        #expect(rows.first?.contains("data-result=\"partial\"") == true)
        #expect(history.contains("initial platform repository"), "the commit's subject")
        #expect(history.tags(with: "class", "bar-partial").count == 1, "one bar in the chart")
        #expect(history.contains("<svg class=\"chart\""))
    }

    /// Screenshots as a person would see the pages: PNGs of the right size, far from a blank page's.
    /// With `WEB_SCREENSHOTS_DIR` set they are also copied there (the README's pictures come from it).
    @Test func screenshotsAreNotBlank() async throws {
        let fixture = try await WebFixture()
        let browser = try Browser(in: fixture.git.root.path)
        let blank = try browser.screenshot("about:blank", to: fixture.git.root.appending("blank.png"))
        for (name, path) in [("web-overview", "/"), ("web-app", "/apps/broken")] {
            let file = fixture.git.root.appending("\(name).png")
            let png = try browser.screenshot(fixture.base + path, to: file)
            let size = Browser.pngSize(png)
            #expect(size?.width == 1280 && size?.height == 900, "\(name): \(String(describing: size))")
            #expect(png.count > 20_000 && png.count > blank.count * 4, "\(name): \(png.count) bytes, blank \(blank.count)")
            #expect(Set(png.suffix(from: png.count / 2)).count > 200, "\(name): too few distinct bytes for a picture")
            if let folder = ProcessInfo.processInfo.environment["WEB_SCREENSHOTS_DIR"] {
                try? FileManager.default.removeItem(atPath: folder + "/\(name).png")
                try FileManager.default.copyItem(atPath: file, toPath: folder + "/\(name).png")
            }
        }
    }

    /// A page left open in the browser reloads when a pass ends, told by the server (Server-Sent Events),
    /// and the event stream says which pass.
    @Test func openPageReloadsWhenAPassEnds() async throws {
        let fixture = try await WebFixture()
        let browser = try Browser(in: fixture.git.root.path)
        let head = try fixture.git.git("rev-parse", "HEAD")
        let port = try freeLocalPort()
        let chromiumLog = fixture.git.root.appending("chromium.log")
        let open = try browser.open(fixture.base + "/", debuggingPort: port, log: chromiumLog)
        defer { open.stop() }
        func seen() async -> String {
            let log = (try? String(contentsOfFile: chromiumLog, encoding: .utf8)) ?? ""
            return "titles \(Browser.titles(debuggingPort: port)); chromium: \(log.prefix(1500)) … \(log.suffix(1500))"
        }
        try await Self.eventually("the page shows the first pass", seen) {
            Browser.titles(debuggingPort: port).contains { $0.contains("partial at \(Self.short(head))") }
        }
        // A stream of our own beside the browser's.
        let stream = try #require(RawConnection(port: fixture.port))
        stream.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        let opening = stream.read(for: .seconds(30)) { $0.contains(": connected") }
        #expect(opening.text.hasPrefix("HTTP/1.1 200"))
        #expect(opening.text.lowercased().contains("content-type: text/event-stream"))

        let fixed = try fixture.git.commit(["apps/broken/workflows/smoke.yaml": WebFixture.workflow("Workflow", "smoke", run: "echo fixed")],
                                           message: "fix the smoke test")
        try fixture.git.push()
        let rung = try await fixture.client.post("/api/v1/reconcile", headers: fixture.bearer)
        #expect(rung.status == 202)
        let event = stream.read(for: .seconds(300)) { $0.components(separatedBy: "event: pass").dropFirst().first?.contains("\n\n") == true }
        #expect(event.text.contains("event: pass\ndata: {\"kind\":\"ran\",\"commit\":\"\(fixed)\""), "\(event.text)")
        try await Self.eventually("the open page reloads and shows the new pass", seen) {
            Browser.titles(debuggingPort: port).contains { $0.contains("at \(Self.short(fixed))") }
        }
    }

    /// On a listener beyond loopback, the pages need the read token: a sign-in form sets an HttpOnly,
    /// SameSite=Strict cookie the pages accept, and the JSON API does not.
    @Test func signInSetsASessionCookieForThePagesOnly() async throws {
        let fixture = try await WebFixture(listen: "0.0.0.0")
        let client = fixture.client

        let refused = try await client.get("/workflows")
        #expect(refused.status == 401)
        #expect(refused.header("Content-Type") == "text/html; charset=utf-8")
        #expect(refused.text.contains("name=\"token\""), "the sign-in form")
        #expect(refused.text.contains("name=\"next\" value=\"/workflows\""))
        #expect(try await client.get("/api/v1/apps").status == 401)
        #expect(try await client.get("/assets/style.css").status == 200, "assets are open")

        let wrong = try Self.post(port: fixture.port, "/login", form: "token=not-it&next=%2Fworkflows")
        #expect(wrong.hasPrefix("HTTP/1.1 401"))
        #expect(!wrong.lowercased().contains("set-cookie"))

        let signIn = try Self.post(port: fixture.port, "/login", form: "token=\(fixture.token)&next=%2Fworkflows")
        #expect(signIn.hasPrefix("HTTP/1.1 303"), "\(signIn)")
        let head = signIn.components(separatedBy: "\r\n\r\n").first ?? ""
        #expect(head.lowercased().contains("location: /workflows"))
        let setCookie = try #require(head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") })
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"))
        #expect(!setCookie.contains(fixture.token), "the cookie holds the token")
        let cookie = String(setCookie.dropFirst("set-cookie: ".count).split(separator: ";")[0])

        let page = try await client.get("/workflows", headers: ["Cookie": cookie])
        #expect(page.status == 200)
        #expect(page.text.contains("ecommerce/rogue"))
        #expect(page.text.contains("Sign out"))
        #expect(try await client.get("/", headers: ["Cookie": cookie]).status == 200)
        #expect(try await client.get("/api/v1/apps", headers: ["Cookie": cookie]).status == 401, "the API took the cookie")
        #expect(try await client.get("/", headers: fixture.bearer).status == 200, "the bearer token opens pages too")
        var forged = cookie
        forged.removeLast()
        forged.append(cookie.hasSuffix("0") ? "1" : "0")
        #expect(try await client.get("/", headers: ["Cookie": forged]).status == 401)
        let expiry = Int(Date().timeIntervalSince1970) + 999_999
        let stretched = cookie.replacingOccurrences(of: #"=\d+\."#, with: "=\(expiry).", options: .regularExpression)
        #expect(try await client.get("/", headers: ["Cookie": stretched]).status == 401)

        // The destination after signing in is a path of this server only.
        let away = try Self.post(port: fixture.port, "/login", form: "token=\(fixture.token)&next=%2F%2Fevil.example%2F")
        #expect(away.lowercased().contains("location: /\r\n"))
        let signOut = try Self.post(port: fixture.port, "/logout", form: "")
        #expect(signOut.lowercased().contains("max-age=0"))
    }

    /// Off loopback with no token configured, pages are disabled, never open (as the read API).
    @Test func pagesOffLoopbackWithoutATokenAreDisabled() async throws {
        let fixture = try await ServerFixture(listenHost: "0.0.0.0", token: nil)
        for path in ["/", "/apps/checkout", "/workflows", "/history", "/events"] {
            let answer = try await fixture.client.get(path)
            #expect(answer.status == 403, "\(path)")
            #expect(answer.text.contains("--api-token-file"), "\(path)")
        }
        let login = try await fixture.client.post("/login", body: Data("token=anything".utf8),
                                                  headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(login.status == 403)
        #expect(login.header("Set-Cookie") == nil)
        try await fixture.stop()
    }

    /// 10,000 apps: the overview shows them 100 at a time, with correct ranges, links and filters. The
    /// time each answer took (its `Server-Timing`) is printed for the record, never asserted.
    @Test func tenThousandAppsArePaginated() async throws {
        var files = ["policies/admin-config.yaml": "workflowPolicies: {}\n"]
        for index in 0..<10_000 {
            let name = String(format: "app%05d", index)
            files["apps/\(name)/score.yaml"] = WebFixture.score(name, product: index % 10 == 0 ? "tenth" : nil)
        }
        let fixture = try await WebFixture(files: files) { git, workdir in
            // Every pair recorded as succeeded without running anything, as the benchmarks do.
            let recorded = try InnominatusBinary.run(["plan", "--repo", git.remote, "--workdir", workdir, "--record-success"])
            #expect(recorded.status == 0, "\(recorded.stderr)")
        }
        let browser = try Browser(in: fixture.git.root.path)
        let first = try fixture.dom("/", browser: browser)
        #expect(first.apps.count == 100)
        #expect(first.apps.first == "app00000" && first.apps.last == "app00099")
        #expect(first.contains("Apps 1–100 of 10000 · page 1 of 100"))
        #expect(first.tags(with: "rel", "next").first.flatMap { DOM.attribute("href", of: $0) } == "/?page=2")
        #expect(first.tags(with: "data-state", "succeeded").contains { $0.contains("data-count=\"10000\"") })

        var timings: [String] = []
        func page(_ path: String) async throws -> DOM {
            let answer = try await fixture.client.get(path)
            #expect(answer.status == 200, "\(path): \(answer.status)")
            timings.append("\(path): \(answer.header("Server-Timing") ?? "?")")
            return DOM(text: answer.text)
        }
        let last = try await page("/?page=100")
        #expect(last.apps.first == "app09900" && last.apps.last == "app09999" && last.apps.count == 100)
        #expect(last.tags(with: "rel", "next").isEmpty)
        #expect(last.tags(with: "rel", "prev").first.flatMap { DOM.attribute("href", of: $0) } == "/?page=99")
        #expect(try await page("/?page=5000").contains("page 100 of 100"), "a page past the last shows the last")
        let named = try await page("/?q=app0999")
        #expect(named.apps == (9990...9999).map { String(format: "app%05d", $0) })
        let product = try await page("/?product=tenth&page=2")
        #expect(product.contains("Apps 101–200 of 1000 · page 2 of 10"))
        #expect(product.apps.first == "app01000")
        #expect(product.tags(with: "rel", "next").first.flatMap { DOM.attribute("href", of: $0) } == "/?product=tenth&amp;page=3", "escaped as an attribute")
        let app = try await fixture.client.get("/apps/app04242")
        #expect(app.status == 200)
        #expect(app.text.contains("<h1 id=\"app-name\">app04242</h1>"))
        print("10,000 apps, Server-Timing (debug build):\n" + timings.joined(separator: "\n"))
    }

    /// Polls `condition` (the test watching; the page itself never polls). `seen` says what was there instead.
    static func eventually(_ what: String, _ seen: () async -> String = { "" }, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw WebTestFailure("gave up waiting: \(what); \(await seen())")
    }

    /// A form POST over a raw connection, so the answer's own head (303, Set-Cookie) is seen, not a redirect's.
    static func post(port: Int, _ path: String, form: String) throws -> String {
        let connection = try #require(RawConnection(port: port))
        connection.send("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: \(form.utf8.count)\r\nConnection: close\r\n\r\n\(form)")
        return connection.read(for: .seconds(60)).text
    }
}

struct WebTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
