import ArgumentParser
import Foundation
import Reconciler
import Specs

/// `innominatus status --repo ... [REV] [--output text|json|yaml]`: the status note of a commit.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the status innominatus recorded for a commit (default: the last applied one).",
        discussion: """
            Reads the remote's notes (refs/notes/innominatus) and prints the last ReconcileStatus of the commit: \
            apps × tiers with their results and reasons, and failed steps with the tail of their logs. When \
            several passes recorded the same commit, the text ends with the earlier ones (start time and result, \
            one line each); json and yaml give the last document only. \
            The same document is readable with `git log --notes=innominatus`. A REV that names no commit exits 1.
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json, yaml }

    @OptionGroup var remote: RemoteOptions

    @Argument(help: "A commit id, or a branch of the remote (default: the last applied commit).")
    var revision: String?

    @Option(help: "Output format: text, json or yaml.")
    var output: Output = .text

    func run() async throws {
        let reader = StatusReader(settings: remote.settings())
        // Only the text lists the earlier passes: json and yaml answer the last document alone (§7), and
        // reading the earlier ones costs a parse each.
        let commit: String, statuses: [ReconcileStatus]
        if output == .text {
            (commit, statuses) = try await reader.statuses(of: revision)
        } else {
            let found = try await reader.status(of: revision)
            (commit, statuses) = (found.commit, found.status.map { [$0] } ?? [])
        }
        guard let status = statuses.last else {
            throw CleanFailure("commit \(commit) has no innominatus status note (it was never reconciled, or only as part of a later commit)")
        }
        switch output {
        case .text: print(StatusRendering.text(status, earlier: Array(statuses.dropLast())))
        case .json: print(try StatusRendering.json(status))
        case .yaml: print(try StatusRendering.yaml(status), terminator: "")
        }
    }
}

/// `innominatus history --repo ... [--app NAME] [--limit N]`: the recorded passes, newest first.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the recorded passes, newest first, optionally only those that touched one app.")

    @OptionGroup var remote: RemoteOptions

    @Option(help: "Only passes that ran, blocked or failed something of this app.")
    var app: String?

    @Option(help: "How many passes to show.")
    var limit: Int = 20

    func run() async throws {
        let reader = StatusReader(settings: remote.settings())
        let statuses = try await reader.history(app: app, limit: limit)
        if statuses.isEmpty { print("no recorded passes" + (app.map { " for \($0)" } ?? "")) }
        for status in statuses {
            var line = "\(status.startedAt)  \(status.commit.prefix(12))  \(status.result.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))"
            if let app, let tiers = status.apps[app]?.tiers {
                line += tiers.sorted { $0.key.rawValue < $1.key.rawValue }
                    .map { " \($0.key.rawValue)=\($0.value.result.rawValue)" }.joined()
            } else {
                line += " \(status.apps.values.reduce(0) { $0 + $1.tiers.count }) pair(s), \(status.unchanged) unchanged"
            }
            print(line)
        }
    }
}

/// An error whose message is the whole story (no usage text), exit status 1.
struct CleanFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
