import ArgumentParser
import Executor
import Foundation
import ProcessSupport
import Specs

/// `innominatus run WORKFLOW.yaml --app SCORE.yaml [--dry-run] [--output text|json]`: runs one workflow for
/// one app on this machine, so product teams can test a workflow before opening the pull request.
/// All logic is in Executor; this parses, loads and prints.
struct Run: AsyncParsableCommand {
    enum Output: String, CaseIterable {
        case text
        case json
    }

    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one workflow for one app locally.",
        discussion: """
            Steps run in the repository root (--repo, default: the nearest folder above the workflow holding \
            \(AdminConfig.repositoryPaths.joined(separator: " or ")), provisioners/ or .git; else the current folder), whose admin config \
            registers plugin step types and allows fromEnv variables. Steps see only the context variables \
            APP_NAME, PRODUCT, SCORE_FILE (the --app file), SCORE_JSON (the Score as JSON, in a private file \
            of the run, removed after it), COMMIT, TIER, PHASE and INNOMINATUS_OUTPUT, earlier outputs, PATH \
            and their own env. Exit status: 0 when the workflow succeeded, 1 when it failed or a file is \
            invalid, 2 for usage errors.
            """)

    @Argument(help: "The workflow file.")
    var workflow: String

    @Option(help: "The app's Score file.")
    var app: String

    @Option(help: "The platform repository's root (default: found from the workflow's location).")
    var repo: String?

    @Option(help: "The commit steps see as COMMIT and ${commit}.")
    var commit: String = "local"

    @Option(help: "Where full step logs go (default: none; the result keeps each step's last lines).")
    var logDir: String?

    @Flag(help: "Print the resolved steps and run nothing.")
    var dryRun = false

    // A plain string, checked in `execute`, so a bad format exits with 2 (usage) as docs/ARCHITECTURE.md §6 fixes,
    // rather than with ArgumentParser's 64.
    @Option(help: "Output format: text or json.")
    var output: String = "text"

    func run() async throws {
        try await execute()
    }

    private func execute() async throws {
        guard let format = Output(rawValue: output) else {
            StandardStream.error.write("Error: --output must be text or json, not '\(output)'\n")
            throw ExitCode(2)
        }
        let root = repo ?? RepositoryRoot.enclosing(file: workflow) ?? FileManager.default.currentDirectoryPath
        let workflowReport = try validate(workflow)
        let scoreReport = try validate(app)
        guard let workflowModel = workflowReport.workflow, let score = scoreReport.score else {
            var errors = (workflowReport.errors + scoreReport.errors).map(\.description)
            if workflowReport.isValid && workflowReport.workflow == nil { errors.append("\(workflow): not a workflow file") }
            if scoreReport.isValid && scoreReport.score == nil { errors.append("\(app): not a Score file") }
            StandardStream.error.write(errors.joined(separator: "\n") + "\n")
            throw ExitCode(1)
        }
        var admin = AdminConfig.default
        if let adminPath = RepositoryRoot.adminConfigPath(in: root) {
            let report = try validate(adminPath)
            guard let config = report.adminConfig else {
                StandardStream.error.write(report.errors.map(\.description).joined(separator: "\n") + "\n")
                throw ExitCode(1)
            }
            admin = config
        }
        let context = AppContext(score: score, scoreFile: URL(fileURLWithPath: app).standardizedFileURL.path,
                                 commit: commit, repositoryRoot: URL(fileURLWithPath: root).standardizedFileURL.path)
        if dryRun {
            let (steps, problems) = Executor(admin: admin).dryRun(workflowModel, app: context)
            print(format == .json ? RunReport.json(steps) : RunReport.text(steps))
            if !problems.isEmpty {
                StandardStream.error.write(problems.map(\.message).joined(separator: "\n") + "\n")
                throw ExitCode(1)
            }
            return
        }
        let terminal = isatty(2) == 1
        let settings = ExecutorSettings(logDirectory: logDir, progress: { event in
            StandardStream.error.write(RunReport.progress(event, terminal: terminal) + "\n")
        })
        let outcome = await Executor(admin: admin, settings: settings).run(workflowModel, app: context)
        print(format == .json ? RunReport.json(outcome) : RunReport.text(outcome))
        if outcome.result != .succeeded { throw ExitCode(1) }
    }

    private func validate(_ path: String) throws -> SpecFileReport {
        do {
            return try SpecValidator().validate(fileAt: path)
        } catch {
            StandardStream.error.write("Error: \(error.description)\n")
            throw ExitCode(2)
        }
    }
}
