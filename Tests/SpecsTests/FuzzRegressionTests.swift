import Foundation
import Testing
@testable import Specs

/// Inputs that once got through the Specs front end wrongly — found by the hostile corpus
/// (`Tests/Fixtures/hostile`) and the `SpecsFuzz` libFuzzer harness (`Fuzz/run.sh`) — kept so they stay fixed.
/// Each runs through the same entry the fuzzer uses, and its outcome is pinned.
@Suite("Fuzz and hostile-corpus regressions")
struct FuzzRegressionTests {
    static let score = "apiVersion: score.dev/v1b1\nmetadata:\n  name: web-app\ncontainers:\n  web:\n    image: nginx\n"

    /// Tags that ask for a constructor or an application type were ignored, so a file meant for a loader that
    /// honours them (`!!python/object`) validated as a plain Score file.
    @Test(arguments: [
        ("!!python/object:__main__.Exploit\n" + score, "!!python/object:__main__.Exploit", 1),
        (score.replacingOccurrences(of: "image: nginx", with: "image: !Ref nginx"), "!Ref", 6),
        (score.replacingOccurrences(of: "image: nginx", with: "image: !!python/object/apply:os.system [id]"),
         "!!python/object/apply:os.system", 6),
        (score + "x: !!binary aGVsbG8=\n", "!!binary", 7),
        (score + "x: !<tag:example.com,2000:app/foo> 1\n", "tag:example.com,2000:app/foo", 7),
    ])
    func unsupportedTagsAreErrorsWithTheirPosition(yaml: String, tag: String, line: Int) {
        let report = SpecTesting.validate(yaml, path: "apps/web-app/score.yaml")
        #expect(!report.isValid)
        let error = report.errors.first
        #expect(error?.message.contains("the tag '\(tag)' is not supported") == true, "\(report.summary)")
        #expect(error?.location.line == line, "\(report.summary)")
    }

    @Test(arguments: ["!!str 12", "!!int 12", "!!bool true", "!!null ~", "!!float 1.5", "! x"])
    func coreSchemaTagsStillRead(scalar: String) {
        let report = SpecTesting.validate(Self.score + "metadata2: \(scalar)\n")
        #expect(!report.diagnostics.contains { $0.message.contains("tag") }, "\(report.summary)")
        let maps = SpecTesting.validate("apiVersion: score.dev/v1b1\nmetadata: !!map\n  name: web-app\ncontainers: !!map\n  web:\n    image: nginx\n")
        #expect(maps.isValid, "\(maps.summary)")
    }

    /// A NUL written as "\0" in a quoted string passed validation; it would cut the value short in C (env, argv).
    @Test func nulInAValueIsAnErrorWithItsPosition() {
        let yaml = Self.score.replacingOccurrences(of: "image: nginx", with: "image: \"nginx\\0; touch /tmp/x\"")
        let report = SpecTesting.validate(yaml)
        #expect(!report.isValid)
        #expect(report.errors.first?.message.contains("NUL") == true, "\(report.summary)")
        #expect(report.errors.first?.location == SourceLocation(line: 6, column: 12), "\(report.summary)")
        #expect(!SpecTesting.validate(Self.score + "\"k\\0\": 1\n").isValid, "a NUL in a key too")
    }

    /// A UTF-8 byte order mark at the start (which YAML allows, and Windows editors write) made the file unreadable.
    @Test func byteOrderMarkIsSkipped() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(Self.score.utf8)
        let report = SpecValidator().validate(bytes, path: "score.yaml")
        #expect(report.isValid, "\(report.summary)")
        #expect(report.kind == .score)
        #expect(report.root?["apiVersion"]?.location == SourceLocation(line: 1, column: 13), "positions count from after the mark")
        #expect(!SpecValidator().validate([0xEF, 0xBB, 0xBF], path: "score.yaml").isValid, "a BOM alone is an empty file")
    }

    /// The fuzz harness's inputs that reached new code paths and must keep ending in diagnostics, never a crash.
    @Test(arguments: [
        [UInt8](),
        [0xEF, 0xBB],
        Array("---\n---\n---\n".utf8),
        Array("&a [*a]".utf8),
        Array("<<: *x\n".utf8),
        Array("<<: [1, 2]\n".utf8),
        Array("? ? ? a\n".utf8),
        Array("a: !!int 99999999999999999999999999\n".utf8),
        Array("a: 0o\n".utf8),
        Array("a: 1:2:3:4:5:6:7:8:9\n".utf8),
        Array("%TAG ! tag:x,2000:\n--- !a\n".utf8),
        Array("apiVersion: workflow.dev/v1\nkind: Workflow\nspec: {steps: [{name: a, run: '${', dependsOn: [a, a]}]}\n".utf8),
        Array("workflowPolicies: {allowedProductWorkflows: [{name: /, digest: ~}], stepTypes: {a: {command: []}}}\n".utf8),
    ])
    func harnessInputsEndInDiagnostics(bytes: [UInt8]) {
        for kind in [SpecKind.score, .workflow, .adminConfig, nil] {
            let report = SpecValidator().validate(bytes, path: "fuzz.yaml", as: kind)
            _ = ValidationRendering.text([report])
            _ = ValidationRendering.json([report])
        }
    }
}
