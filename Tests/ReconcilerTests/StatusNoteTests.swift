import Foundation
import Planner
import GitKit
import Reconciler
import Specs
import TestSupport
import Testing

@Suite("Status notes: the §7 document, appended, read back")
struct StatusNoteTests {
    static let sample = ReconcileStatus(
        commit: "0123456789abcdef0123456789abcdef01234567", previousCommit: nil, result: .partial,
        startedAt: "2026-11-28T12:00:00Z", finishedAt: "2026-11-28T12:00:03Z", unchanged: 27,
        apps: [
            "checkout": AppStatus(product: "ecommerce", tiers: [
                .platform: TierStatus(action: .run, result: .succeeded, fingerprint: "ab12", reason: "new app",
                                      workflows: [WorkflowStatus(name: "security-scan", phase: "pre-deployment", result: "succeeded",
                                                              steps: [StepStatus(name: "scan", result: "succeeded", exitCode: 0, durationMs: 12)])]),
                .product: TierStatus(action: .blocked, result: .blocked, fingerprint: nil, reason: "no runnable workflow",
                                     blocked: [BlockedWorkflow(workflow: "ecommerce/rogue", reason: "not in allowedProductWorkflows")]),
            ]),
            "api": AppStatus(product: nil, tiers: [
                .application: TierStatus(action: .run, result: .failed, fingerprint: "cd34", reason: "apps/api/score.yaml changed",
                                         workflows: [WorkflowStatus(name: "deploy", phase: "deployment", result: "failed",
                                                                 steps: [StepStatus(name: "apply", result: "failed", exitCode: 3, durationMs: 40,
                                                                                 log: ["line: with colon", "12345", "- dash", "'quoted'"])])]),
            ]),
        ])

    @Test func rendersTheContractFieldsInAStableOrder() throws {
        let text = try StatusNote.render(Self.sample)
        #expect(text.hasPrefix("---\napiVersion: innominatus.dev/v1\nkind: ReconcileStatus\ncommit: "))
        #expect(text.contains("previousCommit: null\n"))
        #expect(text.contains("result: partial\n"))
        #expect(text.contains("unchanged: 27\n"))
        // Apps sorted; tiers in platform → product → application order.
        let api = try #require(text.range(of: "  api:")), checkout = try #require(text.range(of: "  checkout:"))
        #expect(api.lowerBound < checkout.lowerBound)
        let platform = try #require(text.range(of: "platform:")), product = try #require(text.range(of: "      product:"))
        #expect(platform.lowerBound < product.lowerBound)
        #expect(try StatusNote.render(Self.sample) == text, "same status, same bytes")
    }

    @Test func roundTripsAndTakesTheLastStatusAmongOtherWritersDocuments() throws {
        var second = Self.sample
        second.result = .succeeded
        second.previousCommit = "fedcba9876543210fedcba9876543210fedcba98"
        let note = "reviewed-by: alice\n" + (try StatusNote.render(Self.sample))
            + "---\nkind: SomethingElse\nvalue: 1\n" + (try StatusNote.render(second))
            + "---\nfree text from a person: not a status\n"
        #expect(StatusNote.lastStatus(in: note) == second)
        #expect(StatusNote.allStatuses(in: note) == [Self.sample, second])
    }

    /// The note's emitter picks plain, single- or double-quoted style per string: each must read back as
    /// written, as a key and as a value, whatever a YAML 1.1 reader would otherwise make of it.
    @Test(arguments: [
        "12345", "0123", "1e3", "0x1F", "1_000", "1:20", ".5", ".inf", "-1", "+1", "yes", "No", "ON", "y", "n", "null",
        "Null", "~", "true", "", " lead", "trail ", "a: b", "a #b", "#c", "- dash", "-", "? q", "'q'", "\"dq\"", "it's",
        "line\nbreak", "tab\there", "cr\rhere", "bell\u{7}", "del\u{7F}", "ümlaut ✓ 日本", "\u{2028}sep",
        "\u{85}next", "\u{FEFF}bom", "---", "...", "%tag", "@at", "`tick", "&anchor", "*alias", "!tag", "|block", ">fold",
        "{a}", "[a]", "a,b", "plain-text_ok/1.2 with spaces", "back\\slash", "2026-11-28T12:00:00Z",
        "0a47d95988d4a1d1b4ab75e2a7ad8b70159df843", "12e5", "0x1f", "0o17", "0b101", "0B1a", "1E10", "9f", "1a2b-3", "0b3af", "0xfg", "0o78", "0xABC",
    ])
    func everyStringReadsBackAsWritten(text: String) throws {
        var status = Self.sample
        status.previousCommit = text
        status.apps[text] = AppStatus(product: text, tiers: [
            .platform: TierStatus(action: .run, result: .failed, fingerprint: text, reason: text,
                                  workflows: [WorkflowStatus(name: text, phase: "deployment", result: "failed",
                                                             steps: [StepStatus(name: "s", result: "failed", exitCode: 1,
                                                                                durationMs: 0, log: [text, text + text])])]),
        ])
        let rendered = try StatusNote.render(status)
        #expect(StatusNote.lastStatus(in: rendered) == status, "\(rendered)")
    }

    @Test func aNulInALogLineBecomesTheReplacementCharacterAndTheNoteStaysReadable() throws {
        var status = Self.sample
        status.apps["checkout"]?.tiers[.platform]?.workflows?[0].steps[0].log = ["binary\u{0}output"]
        var expected = status
        expected.apps["checkout"]?.tiers[.platform]?.workflows?[0].steps[0].log = ["binary\u{FFFD}output"]
        #expect(StatusNote.lastStatus(in: try StatusNote.render(status)) == expected)
    }

    @Test(arguments: [
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nkind: ReconcileStatus\n",
        "kind: ReconcileStatus\ncommit: [unclosed\n",
        "kind: ReconcileStatus\ncommit: abc\n",
        "\u{7}\u{0}binary",
    ])
    func hostileOrBrokenDocumentsAreSkipped(garbage: String) throws {
        let good = try StatusNote.render(Self.sample)
        #expect(StatusNote.lastStatus(in: good + "---\n" + garbage) == Self.sample)
        #expect(StatusNote.lastStatus(in: garbage) == nil)
    }

    @Test func gitLogShowsTheNote() async throws {
        let fixture = try GitFixture()
        let head = try fixture.commit(["a": "1"])
        let repository = try Repository.open(at: fixture.work)
        var status = Self.sample
        status.commit = head
        let commit = try #require(ObjectID(hex: head))
        try await repository.writeNote(StatusNote.render(status), on: commit, append: true)
        let log = try fixture.git("log", "--notes=innominatus", "-1")
        #expect(log.contains("Notes (innominatus):"))
        #expect(log.contains("kind: ReconcileStatus"))
        let read = try #require(try await repository.note(on: commit))
        #expect(StatusNote.lastStatus(in: read) == status)
    }
}
