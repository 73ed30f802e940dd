import ArgumentParser
import Foundation
import Planner
import ProcessSupport
import Reconciler

/// `innominatus preview --repo URL|PATH --ref REF [--branch main] [--output text|markdown|json] [--note]`:
/// what REF would run, block and render if it became the watched branch's head (docs/ARCHITECTURE.md §9).
struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show what a pull request would run, block and render, before anyone merges it.",
        discussion: """
            Plans the tree of --ref against the applied state of --branch: exactly what the reconciler would \
            run if that commit became the branch's head. Shows the (app, tier) pairs with their reasons, the \
            blast radius (for each changed path, how many pairs of which tier it re-runs), the rendered \
            manifests' diff against the environment branch (Secrets named, never shown), the blocked \
            workflows with the command that approves each, and invalid files with file:line:column.

            Nothing runs: no step and no cmd:// provisioner (their outputs show as "(at apply)"); no resource \
            state is written; no ref moves on the remote but, with --note, the preview's own note \
            (refs/notes/innominatus-preview on the commit, never the status notes).

            The applied state is trusted only when this workdir's state key (or --state-key) signed it: run \
            on the reconciler's workdir, or pass its key, to preview against what really ran.

            Exit status (as terraform plan -detailed-exitcode): 0 nothing would run, 2 something would run \
            or be pruned, 1 an error (an invalid file or admin config, a ref or remote that cannot be read). \
            A usage error exits 2 as for every command, before anything is read, with nothing on stdout.
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text
        case markdown
        case json
    }

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var trust: TrustOptions

    @Option(help: ArgumentHelp("What to preview: a branch (feature), a ref fetched as it is named (refs/pull/7/head, refs/merge-requests/7/head), or a commit id the fetched refs hold.", valueName: "REF"))
    var ref: String

    @Option(help: "Output format: text, markdown (a pull-request comment, under 60,000 characters) or json.")
    var output: Output = .text

    @Flag(help: "Also write the preview (JSON) as a note on REF's commit under refs/notes/innominatus-preview and push it.")
    var note = false

    @OptionGroup var notify: NotificationOptions

    @Option(name: .customLong("pr"), help: ArgumentHelp(
        "With --notifications: post the Markdown preview as a comment on pull (merge) request N, and edit that same comment on later previews.",
        valueName: "N"))
    var pullRequest: Int?

    func validate() throws {
        try remote.validate()
        do { _ = try PlanningPass.Target(ref) } catch { throw ValidationError("\(error)") }
        if let pullRequest {
            guard pullRequest >= 1 else { throw ValidationError("--pr \(pullRequest): a pull request number is 1 or more") }
            guard notify.notifications != nil else { throw ValidationError("--pr needs --notifications FILE, which names the forge") }
        }
    }

    func run() async throws {
        let preview: Preview
        let settings = remote.settings()
        let notifier = try notify.notifier(workdir: settings.workdir)
        var planning = settings.planning
        planning.trust = try await trust.load()
        do {
            let pass = PreviewPass(planning: planning, target: try PlanningPass.Target(ref))
            preview = try await pass.run(note: note)
        } catch {
            StandardStream.error.write("error: \(error)\n")
            throw ExitCode(1)
        }
        let text = switch output {
        case .text: PreviewRendering.text(preview)
        case .markdown: PreviewRendering.markdown(preview)
        case .json: PreviewRendering.json(preview)
        }
        StandardStream.output.write(text)
        // The forge is told after the preview is printed; a forge that fails is logged, not an error.
        await notifier?.previewed(preview, markdown: output == .markdown ? text : PreviewRendering.markdown(preview),
                                  pullRequest: pullRequest)
        if output != .text, !preview.errors.isEmpty {
            StandardStream.error.write(preview.errors.map { "error: \($0)\n" }.joined())
        }
        throw ExitCode(preview.exitCode)
    }
}
