import Foundation
import Specs
import TestSupport
@testable import Executor

/// A scratch repository for one test: workflows parsed from YAML by the real validator, an app context
/// rooted in the folder, and executor settings with short waits.
struct Sandbox {
    let directory: TemporaryDirectory
    var root: String { directory.path }

    init() throws {
        directory = try TemporaryDirectory("executor")
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        try write("apps/demo/score.yaml", "apiVersion: score.dev/v1b1\nmetadata:\n  name: demo\n  product: shop\n  team: payments\ncontainers:\n  main:\n    image: nginx\n")
    }

    var app: AppContext {
        AppContext(appName: "demo", product: "shop", scoreFile: "apps/demo/score.yaml", commit: "c0ffee",
                   metadata: ["name": "demo", "team": "payments"], resources: ["db": ["host": "db.internal"]],
                   repositoryRoot: root)
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    func write(_ relative: String, _ text: String, executable: Bool = false) throws {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full) }
    }

    func read(_ relative: String) -> String { (try? String(contentsOfFile: path(relative), encoding: .utf8)) ?? "" }

    func lines(_ relative: String) -> [String] { read(relative).split(separator: "\n").map(String.init) }

    /// Parses a workflow whose `spec.steps` are `steps` (YAML, indented as list items at column 0).
    static func workflow(_ steps: String, name: String = "wf", kind: String = "Workflow", phase: String = "deployment",
                         timeout: String? = nil) throws -> Workflow {
        let indented = steps.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
        var text = "apiVersion: workflow.dev/v1\nkind: \(kind)\nmetadata:\n  name: \(name)\n  phase: \(phase)\n"
        if kind == "ProductWorkflow" { text += "  product: shop\n" }
        text += "spec:\n"
        if let timeout { text += "  timeout: \(timeout)\n" }
        text += "  steps:\n\(indented)\n"
        let report = SpecValidator().validate(Array(text.utf8), path: "\(name).yaml", as: .workflow)
        guard let workflow = report.workflow else {
            throw SandboxError(message: report.diagnostics.map { "\($0)" }.joined(separator: "\n") + "\n" + text)
        }
        return workflow
    }

    static func admin(_ policies: String) throws -> AdminConfig {
        let indented = policies.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        let text = "workflowPolicies:\n\(indented)\n"
        let report = SpecValidator().validate(Array(text.utf8), path: "admin-config.yaml", as: .adminConfig)
        guard let config = report.adminConfig else {
            throw SandboxError(message: report.diagnostics.map { "\($0)" }.joined(separator: "\n"))
        }
        return config
    }

    func executor(admin: AdminConfig = .default, parallel: Int = 4, environment: [String: String]? = nil) -> Executor {
        var settings = ExecutorSettings(logDirectory: path("logs"), maxParallelSteps: parallel, killGrace: .milliseconds(300),
                                        retryBackoff: .milliseconds(20), retryBackoffCap: .milliseconds(100))
        if let environment { settings.hostEnvironment = environment }
        return Executor(admin: admin, settings: settings)
    }

    func run(_ workflow: Workflow, admin: AdminConfig = .default, parallel: Int = 4) async -> WorkflowOutcome {
        await executor(admin: admin, parallel: parallel).run(workflow, app: app)
    }
}

struct SandboxError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension WorkflowOutcome {
    func step(_ name: String) -> StepOutcome? { steps.first { $0.name == name } }
}

/// Whether a process is gone (or a zombie nobody has reaped yet, which runs nothing).
func processIsGone(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return true }
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    guard let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
}

/// Polls `condition` every 20 ms, `seconds` worth of polls (process ends are asynchronous); true once it
/// holds. Counted in polls, not wall time: when the whole suite's other tests keep Swift's two pool
/// threads busy, this task and the one it waits for are delayed alike, and a wall-clock deadline would
/// expire before the awaited work was even scheduled.
func eventually(_ seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
    for _ in 0..<Int(seconds * 50) {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
