import Foundation
import GitKit
import Planner
import Specs
import Testing
import TestSupport
@testable import Reconciler

/// A Score's `source:` files are read from the commit's tree, like the Score itself: never from the
/// checkout (which a step can change), never through a symlink.
@Suite struct ScoreSourcesTests {
    static func score(source: String) -> String {
        """
        apiVersion: score.dev/v1b1
        metadata:
          name: web
        containers:
          main:
            image: nginx:1.27
            files:
              /etc/app/config.txt:
                source: \(source)

        """
    }

    @Test func aSourceFileRendersAsTheCommitHoldsIt() async throws {
        let fixture = try LoopFixture()
        try fixture.git.commit(["apps/web/score.yaml": Self.score(source: "config/app.txt"),
                                "apps/web/config/app.txt": "greeting=from-the-commit\n"], message: "web")
        try fixture.git.push()
        let report = await fixture.reconcile()
        #expect(report.exitCode == 0, "\(report.message ?? "")")
        let files = try fixture.git.remoteGit("ls-tree", "-r", "--name-only", "env/main", "web/")
        let configMap = try #require(files.split(separator: "\n").first { $0.contains("configmap") }, "\(files)")
        #expect(try fixture.git.remoteGit("show", "env/main:\(configMap)").contains("greeting=from-the-commit"))
    }

    @Test func aSymlinkedSourceIsRefusedWithItsPath() async throws {
        let fixture = try LoopFixture()
        try fixture.git.commit(["apps/web/score.yaml": Self.score(source: "secret.txt")], message: "web")
        try Shell.run(["ln", "-s", "/etc/passwd", fixture.git.work + "/apps/web/secret.txt"])
        let head = try fixture.git.commit([:], message: "a symlink out of the tree")
        try fixture.git.push()
        let report = await fixture.reconcile()
        #expect(report.exitCode == 1)
        let status = try #require(try fixture.status(of: head))
        let application = try #require(status.apps["web"]?.tiers[.application])
        #expect(application.result == .failed)
        let messages = String(describing: application)
        #expect(messages.contains("secret.txt") && messages.contains("is a symlink in the commit"), "\(messages)")
        #expect(!messages.contains("root:x:0"), "the symlink's target was read")
    }
}
