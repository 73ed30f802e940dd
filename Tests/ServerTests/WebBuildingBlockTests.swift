import Foundation
@testable import Server
import Testing

/// The pieces the status pages are made of, alone: escaping, links, form decoding, the session cookie,
/// the state of a cell, the live-update event.
@Suite struct WebBuildingBlockTests {
    @Test func textAndAttributesAreEscaped() {
        var html = HTML()
        html.element("p", ["title": "a\"b'<c>&", "data-x": nil]) { $0.text("<script>alert('x')</script> & \u{0}\u{7}") }
        #expect(html.markup == "<p title=\"a&quot;b&#39;&lt;c&gt;&amp;\">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; \u{fffd}\u{fffd}</p>")
        var void = HTML()
        void.void("input", ["value": "\"><script>"])
        #expect(void.markup == "<input value=\"&quot;&gt;&lt;script&gt;\">")
    }

    @Test func linksPercentEncodeEveryNameByte() {
        #expect(PageLink.app("checkout") == "/apps/checkout")
        #expect(PageLink.app("<img src=x>") == "/apps/%3Cimg%20src%3Dx%3E")
        #expect(PageLink.app("javascript:alert(1)") == "/apps/javascript%3Aalert%281%29")
        #expect(PageLink.app("../x/y") == "/apps/..%2Fx%2Fy")
        #expect(PageLink.path("/", [("product", "a&b"), ("result", nil), ("q", ""), ("page", "2")]) == "/?product=a%26b&page=2")
    }

    @Test func formFieldsDecodePlusPercentAndKeepTheFirstValue() {
        let form = FormFields("token=a+b%2Bc%3D&next=%2Fapps%2Fx&token=second&bad=%zz&empty=")
        #expect(form["token"] == "a b+c=")
        #expect(form["next"] == "/apps/x")
        #expect(form["bad"] == "%zz")
        #expect(form.nonEmpty("empty") == nil)
        #expect(FormFields.decode("a+b%2B", plusIsSpace: false) == "a+b+")
    }

    @Test func sessionCookieIsBoundToTheTokenAndItsExpiry() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let session = WebSession(token: try #require(Secret("the-token")))
        let value = session.value(now: now)
        #expect(session.accepts(value, now: now))
        #expect(session.accepts(value, now: now.addingTimeInterval(Double(WebSession.lifetime - 1))))
        #expect(!session.accepts(value, now: now.addingTimeInterval(Double(WebSession.lifetime + 1))), "expired")
        #expect(!value.contains("the-token"))
        let other = WebSession(token: try #require(Secret("another-token")))
        #expect(!other.accepts(value, now: now), "a cookie of another token")
        let parts = value.split(separator: ".")
        #expect(!session.accepts("\(Int(parts[0])! + 60).\(parts[1])", now: now), "a stretched expiry")
        #expect(!session.accepts("garbage", now: now))
        let header = session.setCookie(now: now, secure: false)
        #expect(header.contains("HttpOnly") && header.contains("SameSite=Strict") && !header.contains("Secure"))
        #expect(session.setCookie(now: now, secure: true).hasSuffix("; Secure"))
    }

    @Test(arguments: [
        ("/apps/x?y=1", "/apps/x?y=1"), ("//evil.example/", "/"), ("/\\evil.example", "/"), ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"), ("/a b", "/"), ("", "/"),
    ])
    func signInGoesBackOnlyToAPathOfThisServer(next: String, expected: String) {
        #expect(WebSession.destination(next) == expected)
    }

    @Test func cellStateFromTheAppView() {
        typealias View = AppView.TierView
        #expect(PairState(nil) == .notApplicable)
        #expect(PairState(View(lastResult: "succeeded", next: "skip")) == .succeeded)
        #expect(PairState(View(lastResult: "failed", next: "run")) == .failed)
        #expect(PairState(View(lastResult: "failed", next: "skip", waiting: true)) == .waiting)
        #expect(PairState(View(lastResult: "succeeded", next: "skip", gated: true)) == .gated)
        #expect(PairState(View(lastResult: "failed", next: "stalled")) == .stalled)
        #expect(PairState(View(next: "blocked")) == .blocked)
        #expect(PairState(View(next: "error")) == .error)
        #expect(PairState(View(lastResult: "succeeded", next: "suspended")) == .suspended)
        #expect(PairState(View(next: "run")) == .pending)
        #expect(PairState(View(lastResult: "succeeded", next: "prune")) == .pruning)
        #expect(PairState(View(next: "skip", applies: false)) == .notApplicable)
        #expect(PairState(View(next: "skip")) == .notRun)
    }

    @Test func passEventsReachEverySubscriberAndEndOnClose() async throws {
        let events = LiveUpdates(limit: 2)
        let first = try #require(await events.subscribe())
        let second = try #require(await events.subscribe())
        #expect(await events.subscribe() == nil, "over the limit")
        await events.publish(.pass("{}"))
        await events.close()
        var firstSeen: [LiveUpdates.Event] = []
        for await event in first { firstSeen.append(event) }
        var secondSeen: [LiveUpdates.Event] = []
        for await event in second { secondSeen.append(event) }
        #expect(firstSeen == [.pass("{}")] && secondSeen == [.pass("{}")])
        let late = try #require(await events.subscribe())
        var lateSeen = 0
        for await _ in late { lateSeen += 1 }
        #expect(lateSeen == 0, "a stream opened after close ends at once")
        #expect(LiveUpdates.Event.pass("{\"kind\":\"ran\"}").text == "event: pass\ndata: {\"kind\":\"ran\"}\n\n")
    }
}
