import Foundation
import TestSupport
import Testing

/// A reader that went away (`innominatus plan | head`) fails the command's writes, never the command: no
/// trap, no crash report on stderr, the exit status the command has without a reader.
@Suite("output to a closed pipe")
struct ClosedOutputTests {
    /// Runs the binary with stdout a pipe whose reading end is closed before it starts, so every write fails
    /// with EPIPE; returns its exit status and stderr.
    static func runWithoutReader(_ arguments: [String]) throws -> (status: Int32, exited: Bool, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: InnominatusBinary.path)
        process.arguments = arguments
        let output = Pipe()
        try output.fileHandleForReading.close()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        try output.fileHandleForWriting.close()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .exit, stderr)
    }

    @Test func planWithoutAReaderExitsAsItWouldWithOne() throws {
        let repo = try PlatformRepoFixture()
        let base = ["--repo", repo.git.remote, "--workdir", repo.workdir, "--state-key", repo.git.stateKeyFile]
        for format in ["text", "json"] {
            let expected = try InnominatusBinary.run(["plan", "--output", format] + base)
            #expect(!expected.stdout.isEmpty)
            let closed = try Self.runWithoutReader(["plan", "--output", format] + base)
            #expect(closed.exited && closed.status == expected.status, "\(format): \(closed.stderr)")
            #expect(closed.stderr == expected.stderr, "\(format)")
        }
    }
}
