import Foundation
import TestSupport
import Testing

/// `/api/v1/status/{commit}` shows a status or says there is none, in the same words for every revision
/// that is not a commit with a status note: a caller learns nothing about which objects the repository
/// holds, nor their types.
@Suite struct StatusLookupTests {
    @Test func everyRevisionWithoutAStatusGetsTheSame404() async throws {
        let fixture = try await ServerFixture()
        try await fixture.waitUntilReady()
        // Pushed, never reconciled (the loop waits an hour): a commit without a note.
        let unreconciled = try fixture.change(["README.md": "# platform, unreconciled\n"])
        let blob = try fixture.git.git("rev-parse", "HEAD:README.md")
        let tree = try fixture.git.git("rev-parse", "HEAD^{tree}")
        let revisions = [
            "unknown": String(repeating: "ab", count: 20),
            "blob": blob,
            "abbreviated blob": String(blob.prefix(10)),
            "tree": tree,
            "commit without a note": unreconciled,
            "abbreviated commit without a note": String(unreconciled.prefix(10)),
        ]
        var bodies: [String: String] = [:]
        for (what, revision) in revisions {
            let answer = try await fixture.client.get("/api/v1/status/\(revision)")
            #expect(answer.status == 404, "\(what): \(answer.status) \(answer.text)")
            #expect(answer.header("Content-Type")?.hasPrefix("application/json") == true)
            let message = try #require(answer.errorMessage, "\(what): \(answer.text)")
            for word in ["blob", "tree", "type", "peel", unreconciled] where !revision.hasPrefix(word) {
                #expect(!message.contains(word), "\(what) answer tells too much: \(message)")
            }
            bodies[what] = answer.text.replacingOccurrences(of: revision, with: "REV")
        }
        #expect(Set(bodies.values).count == 1, "the answers differ: \(bodies)")
        try await fixture.stop()
    }
}
