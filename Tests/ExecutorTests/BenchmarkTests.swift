import Foundation
import Testing
import TestSupport
@testable import Executor

/// The issue's benchmark: 1,000 sequential `true` steps (a `dependsOn` chain) through `innominatus run`,
/// against a shell loop running `sh -c true` 1,000 times. Wall time only means something on a quiet machine
/// and a release build, so it runs on demand:
/// `swift build -c release --product innominatus && INNOMINATUS_BENCHMARK=1 swift test --filter BenchmarkTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["INNOMINATUS_BENCHMARK"] != nil, "set INNOMINATUS_BENCHMARK=1"))
struct BenchmarkTests {
    static let steps = 1000

    @Test func aThousandChainedStepsCostAtMostTwiceAShellLoop() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let release = root.appendingPathComponent(".build/release/innominatus").path
        let binary = FileManager.default.isExecutableFile(atPath: release) ? release : CommandLineTests.binary
        let sandbox = try Sandbox()
        var text = "apiVersion: workflow.dev/v1\nkind: Workflow\nmetadata: {name: chain}\nspec:\n  steps:\n"
        for index in 0..<Self.steps {
            text += "    - {name: s\(index), run: \"true\"" + (index == 0 ? ", dependsOn: []" : ", dependsOn: [s\(index - 1)]") + "}\n"
        }
        try sandbox.write("chain.yaml", text)

        func wall(_ command: [String]) throws -> Double {
            let start = Date()
            let result = try Shell.execute(command, in: sandbox.root)
            #expect(result.status == 0, "\(result.stderr)")
            return Date().timeIntervalSince(start)
        }
        var runs: [Double] = [], loops: [Double] = []
        for _ in 0..<3 {
            runs.append(try wall([binary, "run", "chain.yaml", "--app", "apps/demo/score.yaml", "--output", "json"]))
            loops.append(try wall(["sh", "-c", "i=0; while [ $i -lt \(Self.steps) ]; do sh -c true; i=$((i+1)); done"]))
        }
        let run = runs.min()!, loop = loops.min()!
        let overhead = (run - loop) / Double(Self.steps) * 1000
        print("benchmark: \(binary)\n  run \(String(format: "%.3f", run)) s, shell loop \(String(format: "%.3f", loop)) s, "
              + "ratio \(String(format: "%.2f", run / loop)), overhead \(String(format: "%.3f", overhead)) ms per step")
        #expect(run <= 2 * loop)
    }
}
