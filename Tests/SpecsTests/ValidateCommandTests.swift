import Foundation
import Specs
import Testing
import TestSupport

/// `innominatus validate FILE`, through the built binary: what a product team sees before a pull request.
@Suite struct ValidateCommandTests {
    static let workflow = """
        apiVersion: workflow.dev/v1
        kind: ProductWorkflow
        metadata: {name: scan, product: shop}
        spec:
          steps:
            - {name: build, run: make}
            - {name: check, type: http, url: 'https://example.invalid/'}
            - name: vulnerability-scan
              type: security
              config: {scanner: trivy}
            - {name: notify, type: slack-notify, config: {channel: '#ops'}}

        """

    func write(_ text: String, to relative: String, in folder: TemporaryDirectory) throws -> String {
        let path = folder.appending(relative)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aWorkflowOutsideAnyRepositoryWarnsAtEachStepTypeItCannotKnow() throws {
        let folder = try TemporaryDirectory("validate-file")
        let file = try write(Self.workflow, to: "loose/scan.yaml", in: folder)
        try #require(RepositoryRoot.enclosing(file: file) == nil, "the temporary folder must lie outside any repository")
        let result = try InnominatusBinary.run(["validate", file])
        #expect(result.status == 0, "warnings only: \(result.stdout) \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains(": warning:") }.count == 2, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("\(file):9:13: warning: spec.steps[2].type: the step type 'security' is not built in (shell, http)") },
                "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("\(file):11:28: warning: spec.steps[3].type: the step type 'slack-notify' is not built in") },
                "\(result.stdout)")
        #expect(!result.stdout.contains("'http' is not built in") && !result.stdout.contains("'shell'"))
        #expect(lines.last == "1 file(s) valid, 2 warning(s)")

        let json = try InnominatusBinary.run(["validate", file, "--output", "json"])
        #expect(json.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let files = document?["files"] as? [[String: Any]]
        let warnings = files?.first?["warnings"] as? [[String: Any]]
        #expect(warnings?.map { $0["field"] as? String } == ["spec.steps[2].type", "spec.steps[3].type"])
    }

    @Test func anInvalidWorkflowOutsideAnyRepositoryStillFailsAndWarns() throws {
        let folder = try TemporaryDirectory("validate-file")
        let file = try write(Self.workflow.replacingOccurrences(of: "make}", with: "make, retries: many}"), to: "scan.yaml", in: folder)
        let result = try InnominatusBinary.run(["validate", file])
        #expect(result.status == 1)
        #expect(result.stdout.contains("retries"))
        #expect(result.stdout.contains("the step type 'security' is not built in"))
    }

    @Test(arguments: [".git", "policies/admin-config.yaml"])
    func aWorkflowInsideARepositoryGetsNoSuchWarning(marker: String) throws {
        let folder = try TemporaryDirectory("validate-file")
        if marker == ".git" {
            try FileManager.default.createDirectory(atPath: folder.appending("repo/.git"), withIntermediateDirectories: true)
        } else {
            _ = try write("workflowPolicies:\n  stepTypes:\n    security: {command: [./scan]}\n", to: "repo/" + marker, in: folder)
        }
        let file = try write(Self.workflow, to: "repo/workflows/products/shop/scan.yaml", in: folder)
        let result = try InnominatusBinary.run(["validate", file])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(!result.stdout.contains("is not built in"), "\(result.stdout)")
        #expect(result.stdout.hasSuffix("1 file(s) valid, 0 warning(s)\n"))
    }

    static func scripted(inputs: String, run: String) -> String {
        "apiVersion: workflow.dev/v1\nkind: ProductWorkflow\nmetadata: {name: deploy, product: shop}\nspec:\n  inputs: \(inputs)\n"
            + "  steps:\n    - {name: go, run: '\(run)'}\n"
    }

    /// A step that runs a repository file its inputs leave out: an edit to that file would escape the
    /// workflow's fingerprint and its approval pin. A warning at the `run:` field, never an error.
    @Test func aStepRunningAFileItsInputsDoNotCoverIsAWarning() throws {
        let folder = try TemporaryDirectory("validate-file")
        // Outside any repository only `./` paths are certainly repository paths.
        let loose = try write(Self.scripted(inputs: "[]", run: "./scripts/deploy.sh && sh tools/check.sh"), to: "loose/deploy.yaml", in: folder)
        var result = try InnominatusBinary.run(["validate", loose])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("\(loose):7:23: warning: spec.steps[0].run: the step names ./scripts/deploy.sh, which spec.inputs "
                    + "does not cover"), "\(result.stdout)")
        #expect(!result.stdout.contains("tools/check.sh"), "\(result.stdout)")

        // Inside one, a path without `./` that names one of its files counts too.
        _ = try write("workflowPolicies: {}\n", to: "repo/policies/admin-config.yaml", in: folder)
        _ = try write("#!/bin/sh\n", to: "repo/tools/check.sh", in: folder)
        let inside = try write(Self.scripted(inputs: "[scripts/deploy.sh]", run: "./scripts/deploy.sh && sh tools/check.sh"),
                               to: "repo/workflows/products/shop/deploy.yaml", in: folder)
        result = try InnominatusBinary.run(["validate", inside])
        #expect(result.status == 0, "\(result.stdout)")
        let warnings = result.stdout.split(separator: "\n").filter { $0.contains(": warning:") }
        #expect(warnings.count == 1 && warnings[0].contains("the step names tools/check.sh"), "\(result.stdout)")

        let covered = try write(Self.scripted(inputs: "[scripts/deploy.sh, ./tools/]", run: "./scripts/deploy.sh && sh tools/check.sh"),
                                to: "repo/workflows/products/shop/deploy.yaml", in: folder)
        result = try InnominatusBinary.run(["validate", covered])
        #expect(result.stdout == "1 file(s) valid, 0 warning(s)\n", "\(result.stdout)")
    }

    @Test func aScoreFileOutsideAnyRepositoryGetsNoStepTypeWarning() throws {
        let folder = try TemporaryDirectory("validate-file")
        let file = try write("apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx:1}}\n",
                             to: "score.yaml", in: folder)
        let result = try InnominatusBinary.run(["validate", file])
        #expect(result.status == 0)
        #expect(result.stdout == "1 file(s) valid, 0 warning(s)\n")
    }
}
