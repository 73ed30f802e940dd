import Foundation
import Testing
import TestSupport

/// `innominatus migrate` as a user runs it, and the migrated repository checked and run by the real binary.
@Suite struct MigrateCommandTests {
    @Test(arguments: ["runnable", "catalogue"])
    func destinationValidates(fixture: String) throws {
        let temporary = try TemporaryDirectory("migrate")
        let destination = temporary.appending("platform")
        let migrate = try InnominatusBinary.run(["migrate", MigrationFixtures.path(fixture), "--output", destination])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout.contains("Wrote "))
        let validate = try InnominatusBinary.run(["validate", destination])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        // The report on stdout is MIGRATION.md.
        let report = try String(contentsOfFile: destination + "/MIGRATION.md", encoding: .utf8)
        #expect(migrate.stdout.hasPrefix(report))
        // The plugins can be run: they are executable.
        let plugins = (try? FileManager.default.contentsOfDirectory(atPath: destination + "/workflows/plugins")) ?? []
        #expect(plugins.isEmpty == (fixture == "runnable"))
        for plugin in plugins { #expect(access(destination + "/workflows/plugins/" + plugin, X_OK) == 0, "\(plugin)") }
        // Golden paths validate as workflows, where they are meant to go.
        for template in (try? FileManager.default.contentsOfDirectory(atPath: destination + "/golden-paths")) ?? [] {
            let check = try InnominatusBinary.run(["validate", destination + "/golden-paths/" + template])
            #expect(check.status == 0, "\(template): \(check.stdout)")
        }
    }

    @Test func dryRunWritesNothing() throws {
        let temporary = try TemporaryDirectory("migrate")
        let destination = temporary.appending("platform")
        let result = try InnominatusBinary.run(["migrate", MigrationFixtures.path("catalogue"), "--output", destination, "--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("# Migration from the original innominatus"))
        #expect(result.stdout.contains("--dry-run: nothing written"))
        #expect(!FileManager.default.fileExists(atPath: destination))
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }

    @Test func usageErrorsExit2AndOverwriteNothing() throws {
        let temporary = try TemporaryDirectory("migrate")
        let taken = temporary.appending("taken")
        try FileManager.default.createDirectory(atPath: taken, withIntermediateDirectories: true)
        try "keep me".write(toFile: taken + "/file", atomically: true, encoding: .utf8)
        let notEmpty = try InnominatusBinary.run(["migrate", MigrationFixtures.path("runnable"), "--output", taken])
        #expect(notEmpty.status == 2)
        #expect(notEmpty.stderr.contains("exists and is not an empty folder"))
        #expect(try String(contentsOfFile: taken + "/file", encoding: .utf8) == "keep me")
        let missing = try InnominatusBinary.run(["migrate", temporary.appending("nothing"), "--output", temporary.appending("out")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("is not a folder"))
        let inside = try InnominatusBinary.run(["migrate", MigrationFixtures.path("runnable"), "--output", MigrationFixtures.path("runnable") + "/out"])
        #expect(inside.status == 2)
        #expect(!FileManager.default.fileExists(atPath: MigrationFixtures.path("runnable") + "/out"))
        let noOutput = try InnominatusBinary.run(["migrate", MigrationFixtures.path("runnable")])
        #expect(noOutput.status == 2)
    }

    @Test func helpExplainsTheCommand() throws {
        let help = try InnominatusBinary.run(["migrate", "--help"])
        #expect(help.status == 0)
        for text in ["original innominatus", "--output", "--dry-run", "MIGRATION.md", "stepTypes", "golden-paths/", "Exit status"] {
            #expect(help.stdout.contains(text), "\(text)")
        }
        let root = try InnominatusBinary.run(["--help"])
        #expect(root.stdout.contains("migrate"))
    }

    /// A PATH holding only python3 (which the plugins are written in), so the tools the plugins call are absent.
    static func pathWithoutTools(_ temporary: TemporaryDirectory) throws -> String {
        let bin = temporary.appending("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/python3", withDestinationPath: "/usr/bin/python3")
        chmod(temporary.path, 0o755)
        return bin
    }

    /// One step of a migrated workflow, run with `innominatus run` against a migrated app.
    static func runStep(_ step: String, type: String, config: String, temporary: TemporaryDirectory, path: String) throws -> Shell.Result {
        let destination = temporary.appending("platform")
        if !FileManager.default.fileExists(atPath: destination) {
            let migrate = try InnominatusBinary.run(["migrate", MigrationFixtures.path("catalogue"), "--output", destination])
            try #require(migrate.status == 0)
        }
        let workflow = destination + "/workflows/platform/\(step).yaml"
        try """
            apiVersion: workflow.dev/v1
            kind: PlatformWorkflow
            metadata: {name: \(step)}
            spec:
              steps:
                - {name: \(step), type: \(type), config: \(config)}
            """.write(toFile: workflow, atomically: true, encoding: .utf8)
        chmod(temporary.path, 0o755)
        let logs = temporary.appending("logs")
        var result = try Shell.execute([InnominatusBinary.path, "run", workflow, "--app", destination + "/apps/batch/score.yaml", "--repo", destination,
                                        "--log-dir", logs], environment: ["PATH": path])
        // The step's log (the plugin's stderr), whatever the outcome.
        for file in FileManager.default.enumerator(atPath: logs)?.allObjects as? [String] ?? [] {
            result.stderr += (try? String(contentsOfFile: logs + "/" + file, encoding: .utf8)) ?? ""
        }
        return result
    }

    @Test(arguments: [
        ("terraform", "{path: ./infra/warehouse, operation: plan}", "'terraform' is not on the reconciler's PATH"),
        ("kubernetes", "{manifests: ./deploy/k8s, namespace: batch}", "'kubectl' is not on the reconciler's PATH"),
        ("ansible", "{path: ./playbooks, playbook: tune.yml}", "'ansible-playbook' is not on the reconciler's PATH"),
        ("policy", "{engine: opa, policies: [no-latest-tag]}", "'opa' is not on the reconciler's PATH"),
    ])
    func toolPluginFailsClearlyWhenTheToolIsAbsent(type: String, config: String, message: String) throws {
        let temporary = try TemporaryDirectory("migrate")
        let result = try Self.runStep("\(type)-check", type: type, config: config, temporary: temporary, path: try Self.pathWithoutTools(temporary))
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect((result.stdout + result.stderr).contains(message), "\(result.stdout)\(result.stderr)")
    }

    @Test(arguments: [
        ("security", "{scanner: grype}", "the original innominatus's 'security' steps were placeholders that did nothing"),
        ("argocd-app", "{appName: batch}", "registered an Argo CD Application"),
    ])
    func placeholderPluginFailsSayingWhatToConfigure(type: String, config: String, message: String) throws {
        let temporary = try TemporaryDirectory("migrate")
        let result = try Self.runStep("\(type)-check", type: type, config: config, temporary: temporary, path: try Self.pathWithoutTools(temporary))
        let output = result.stdout + result.stderr
        #expect(result.status == 1, "\(output)")
        #expect(output.contains(message), "\(output)")
        #expect(output.contains("workflowPolicies.stepTypes.\(type).command in policies/admin-config.yaml"), "\(output)")
    }

    /// The checks of the step's config come before the tool's: a module with no backend would lose its state.
    @Test func terraformPluginRefusesToApplyWithoutABackend() throws {
        let temporary = try TemporaryDirectory("migrate")
        let result = try Self.runStep("terraform-apply", type: "terraform", config: "{path: ./infra/warehouse}", temporary: temporary,
                                      path: try Self.pathWithoutTools(temporary))
        let output = result.stdout + result.stderr
        #expect(result.status == 1, "\(output)")
        #expect(output.contains("configures no backend, so terraform would keep its state in the read-only checkout"), "\(output)")
    }
}
