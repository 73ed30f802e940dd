import Foundation
import Specs
import Testing
@testable import Executor

/// Placeholder values are written by app teams (Score metadata, resource outputs, earlier outputs): in a
/// `run:` script they are data, never shell code — whatever quotes surround the placeholder.
@Suite struct InjectionTests {
    static let hostile = [
        "$(touch MARKER)", "`touch MARKER`", "x'; touch MARKER; echo '", "x\"; touch MARKER; echo \"", "a\nb; touch MARKER",
        "\\'$(touch MARKER)",
    ]

    @Test(arguments: hostile)
    func aHostileMetadataValueIsNeverRun(value: String) async throws {
        let sandbox = try Sandbox()
        let marker = sandbox.path("marker")
        let value = value.replacingOccurrences(of: "MARKER", with: marker)
        var app = sandbox.app
        app.metadata["team"] = value
        let workflow = try Sandbox.workflow("""
            - name: plain
              run: echo ${metadata.team} > \(sandbox.path("plain"))
            - name: double
              run: echo "team=${metadata.team}" > \(sandbox.path("double"))
            - name: single
              run: "echo 'team=${metadata.team}' > \(sandbox.path("single")) # it's quoted"
            """)
        let outcome = await sandbox.executor().run(workflow, app: app)
        #expect(outcome.result == .succeeded, "\(outcome)")
        #expect(!FileManager.default.fileExists(atPath: marker), "the value ran as shell code")
        #expect(sandbox.read("double") == "team=\(value)\n")
        #expect(sandbox.read("single") == "team=\(value)\n")
    }

    @Test func quotingContextsAreRecognised() {
        #expect(!ShellQuoting.isInsideSingleQuotes("echo "))
        #expect(ShellQuoting.isInsideSingleQuotes("echo 'a "))
        #expect(!ShellQuoting.isInsideSingleQuotes("echo 'a' \"b "))
        #expect(!ShellQuoting.isInsideSingleQuotes("echo \"it's "))
        #expect(!ShellQuoting.isInsideSingleQuotes("echo \\' "))
        #expect(!ShellQuoting.isInsideSingleQuotes("# it's a comment\necho "))
        #expect(ShellQuoting.isInsideSingleQuotes("echo a#b'c "))
    }
}
