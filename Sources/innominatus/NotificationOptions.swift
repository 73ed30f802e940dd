import ArgumentParser
import Foundation
import Reconciler
import Specs

/// `--notifications FILE`, shared by reconcile, watch, serve and preview (docs/ARCHITECTURE.md §9).
struct NotificationOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Tell people what passes find: commit statuses on GitHub, Gitea or GitLab, Slack messages and signed webhooks.",
        discussion: "A YAML file kept with the reconciler, never in the platform repository: 'forge: {kind, apiURL, "
            + "repository, tokenEnv}', 'sinks: [{name, kind: slack|webhook, url or urlEnv, secretEnv, events: [blocked, "
            + "failed, stalled, recovered, succeeded, delivered]}]', 'dedupe: 5m'. Tokens and secrets are read from the "
            + "environment variables it names. A sink that fails is retried (3 tries within about 10 s, then at the next "
            + "pass) and never fails the pass.",
        valueName: "FILE"))
    var notifications: String?

    func validate() throws {
        guard notifications != nil else { return }
        do { _ = try config() } catch { throw ValidationError("\(error)") }
    }

    /// The file's configuration; nil without `--notifications`.
    func config() throws -> NotificationConfig? {
        guard let path = notifications else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CleanFailure("--notifications \(path): cannot be read")
        }
        let read = NotificationConfig.read(Array(data), file: path)
        guard let config = read.config else {
            throw CleanFailure(read.diagnostics.map(\.description).joined(separator: "\n"))
        }
        return config
    }

    /// The notifier for a reconciler on `workdir` (nil without `--notifications`); a variable the file
    /// names that is not set fails here, before anything is fetched.
    func notifier(workdir: String, publicURL: String? = nil) throws -> Notifier? {
        guard let config = try config() else { return nil }
        do {
            return try Notifier(config: config, workdir: workdir, publicURL: publicURL)
        } catch {
            throw CleanFailure("--notifications \(notifications ?? ""): \(error)")
        }
    }
}
