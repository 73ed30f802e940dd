import Foundation
import GitKit
import Reconciler
import TestSupport
import Testing

/// `innominatus status` through the built binary, against a remote that `innominatus reconcile` recorded:
/// what a person reads when something failed, or when a commit was reconciled more than once.
@Suite struct StatusCommandTests {
    /// A platform repository with one app whose own workflow fails before its step runs: the step asks for
    /// `${metadata.costCenter}`, which the Score's metadata does not have.
    final class World: @unchecked Sendable {
        // Safe: each test uses its world from one task.
        let git = try! GitFixture()
        var workdir: String { git.root.appending("workdir") }
        var binary: String { GitFixture.helper.executable }
        let head: String

        init() throws {
            head = try git.commit([
                "policies/admin-config.yaml": "workflowPolicies:\n  delivery: {enabled: false}\n",
                "apps/web/score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: web\n  team: payments\n"
                    + "containers:\n  main:\n    image: nginx:1.27\n",
                "apps/web/workflows/deploy.yaml": """
                    apiVersion: workflow.dev/v1
                    kind: Workflow
                    metadata: {name: deploy}
                    spec:
                      steps:
                        - name: tag
                          run: echo "cost center ${metadata.costCenter}"

                    """,
            ])
            try git.push()
        }

        @discardableResult
        func innominatus(_ arguments: String...) throws -> Shell.Result {
            let remoteArguments = ["--repo", git.remote, "--workdir", workdir]
            let command = arguments.first.map { [$0] + remoteArguments + arguments.dropFirst() } ?? []
            return try Shell.execute([binary] + command)
        }

        func note() throws -> String {
            try Shell.run(["git", "--git-dir", git.remote, "notes", "--ref", "innominatus", "show", head])
        }
    }

    static let cause = "'${metadata.costCenter}' has no value here"

    @Test func aStepThatFailedBeforeItRanShowsItsCauseInTheStatusAndInItsFullLog() throws {
        let world = try World()
        let pass = try world.innominatus("reconcile")
        #expect(pass.status == 1, "the pair failed: \(pass.stderr)")
        let status = try world.innominatus("status", world.head)
        #expect(status.status == 0, "\(status.stderr)")
        let lines = status.stdout.split(separator: "\n").map(String.init)
        let step = try #require(lines.firstIndex { $0.contains("step tag: failed") }, "\(status.stdout)")
        #expect(lines[step + 1].contains("| [innominatus] not started: steps.tag.run: \(Self.cause)"), "\(status.stdout)")
        let full = try #require(lines.first { $0.contains("full log: ") }, "\(status.stdout)")
        let file = String(full[full.range(of: "full log: ")!.upperBound...])
        #expect(file.hasPrefix(world.workdir + "/logs/"))
        #expect(FileManager.default.fileExists(atPath: file), "\(file) must exist")
        #expect((try? String(contentsOfFile: file, encoding: .utf8))?.contains(Self.cause) == true)
        // The note itself carries the cause too (what `git log --notes=innominatus` shows), as a YAML string.
        let note = try world.note()
        #expect(note.contains("${metadata.costCenter}") && note.contains("has no value here"), "\(note)")
    }

    @Test(arguments: ["deadbeef", "0123456789abcdef0123456789abcdef01234567", "no-such-branch", "main:apps/web/score.yaml", "main~3"])
    func aRevisionThatNamesNoCommitSaysSoInWords(revision: String) throws {
        let world = try World()
        try world.innominatus("reconcile")
        let status = try world.innominatus("status", revision)
        #expect(status.status == 1)
        #expect(status.stderr.contains("no commit \(revision) in the platform repository"), "\(status.stderr)")
        #expect(!status.stderr.contains("libgit2"), "\(status.stderr)")
    }

    @Test func severalPassesOnOneCommitAreListedAfterTheLastInFull() throws {
        let world = try World()
        try world.innominatus("reconcile")
        try world.innominatus("reconcile", "--force", "web")
        try world.innominatus("reconcile", "--force", "web")
        // Another writer's document in the same note is not a pass.
        try Shell.run(["git", "--git-dir", world.git.remote, "notes", "--ref", "innominatus", "append", "-m",
                       "---\nreviewed-by: alice", world.head])
        let note = try world.note()
        let statuses = StatusNote.allStatuses(in: note + "\n")
        try #require(statuses.count == 3, "\(note)")
        let last = try #require(statuses.last)

        let text = try world.innominatus("status", world.head)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "commit \(world.head)  \(last.result.rawValue)  \(last.startedAt) → \(last.finishedAt)")
        let summary = try #require(lines.firstIndex { $0.hasPrefix("3 passes recorded on this commit") }, "\(text.stdout)")
        #expect(lines[summary] == "3 passes recorded on this commit; the last is shown above, the earlier 2, oldest first, were:")
        #expect(Array(lines[(summary + 1)...].prefix(2)) == statuses.prefix(2).map { "  \($0.startedAt)  \($0.result.rawValue)" })
        // The last pass in full comes first: its failed step, before the list.
        let step = try #require(lines.firstIndex { $0.contains("step tag: failed") })
        #expect(step < summary)

        // json and yaml answer the last document, unchanged.
        let json = try world.innominatus("status", world.head, "--output", "json")
        #expect(json.stdout == (try StatusRendering.json(last)) + "\n")
        let yaml = try world.innominatus("status", world.head, "--output", "yaml")
        #expect(yaml.stdout == (try StatusRendering.yaml(last)))
    }

    @Test func aSinglePassListsNoEarlierOnes() throws {
        let world = try World()
        try world.innominatus("reconcile")
        let text = try world.innominatus("status", world.head)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(!text.stdout.contains("passes recorded on this commit"))
    }
}
