import Foundation
import TestSupport
import Specs
import Testing
@testable import Provisioning

/// cmd provisioners through real subprocesses: the JSON document on stdin and on stdout, state carried
/// over, and clear errors for a failing command or output that is not JSON.
@Suite struct CommandProvisionerTests {
    static func provisioner(_ script: String, in folder: TemporaryDirectory) throws -> ProvisionerDefinition {
        try script.write(toFile: folder.appending("provision.sh"), atomically: true, encoding: .utf8)
        chmod(folder.appending("provision.sh"), 0o755)
        let yaml = "- {uri: cmd://./provision.sh, type: custom, args: [--flag]}"
        return try #require(try ProvisionerLoader().load(Array(yaml.utf8), file: "provisioners/custom.yaml", folder: folder.path).first)
    }

    static let request = ResourceRequest(name: "thing", type: "custom", app: "demo", params: .map([("size", .int(3))]))

    @Test func jsonInAndOutWithStateKept() throws {
        let folder = try TemporaryDirectory("cmd-provisioner")
        let definition = try Self.provisioner("""
            #!/usr/bin/env python3
            import json, sys
            doc = json.load(sys.stdin)
            assert sys.argv[1:] == ["--flag"], sys.argv
            state = doc["state"]
            state["runs"] = state.get("runs", 0) + 1
            state.setdefault("token", "tok-" + doc["uid"])
            print(json.dumps({"state": state,
                              "outputs": {"size": doc["params"]["size"], "token": state["token"], "app": doc["app"]},
                              "secrets": ["token"],
                              "manifests": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": doc["uid"]}}]}))
            """, in: folder)
        let first = try Provisioner(definition).provision(Self.request, state: .map([]))
        #expect(first.outputs["size"] == .int(3))
        #expect(first.outputs["app"]?.string == "demo")
        #expect(first.secrets == ["token"])
        #expect(first.manifests.first?["metadata"]?["name"]?.string == "demo-thing")
        let second = try Provisioner(definition).provision(Self.request, state: first.state)
        #expect(second.state["runs"] == .int(2))
        #expect(second.outputs["token"]?.string == "tok-demo-thing")
    }

    /// A preview does not start cmd provisioners: the resource is deferred, its outputs read "(at apply)".
    @Test func aPreviewStartsNoCommandAndItsOutputsReadAtApply() throws {
        let folder = try TemporaryDirectory("cmd-provisioner")
        let marker = folder.appending("ran")
        let definition = try Self.provisioner("#!/bin/sh\ntouch \(marker)\necho '{\"outputs\": {\"url\": \"x\"}}'\n", in: folder)
        let deferred = try Provisioner(definition, runsCommands: false).provision(Self.request, state: .map([("kept", .int(1))]))
        #expect(deferred.deferred)
        #expect(deferred.state["kept"] == .int(1))
        #expect(deferred.manifests.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: marker), "the command ran")
        let yaml = "apiVersion: score.dev/v1b1\nmetadata: {name: demo}\ncontainers:\n  main: {image: nginx}\nresources:\n  thing: {type: custom}\n"
        let workload = try #require(SpecValidator().validate(Array(yaml.utf8), path: "score.yaml").score)
        let resolved = try PlaceholderResolver(workload: workload, resources: ["thing": deferred])
            .resolve("db=${resources.thing.url}", field: "env")
        #expect(resolved.text == "db=(at apply)")
        // Run for real, the same definition does start it.
        _ = try Provisioner(definition).provision(Self.request, state: .map([]))
        #expect(FileManager.default.fileExists(atPath: marker))
    }

    @Test func aProvisionerThatPrintsWithoutEndIsKilledAtFourMiB() throws {
        let folder = try TemporaryDirectory("cmd-provisioner")
        // Would print 500 MB; only 4 MiB are ever held.
        let definition = try Self.provisioner("#!/bin/sh\nhead -c 500000000 /dev/zero | tr '\\0' x\n", in: folder)
        #expect {
            try Provisioner(definition).provision(Self.request, state: .map([]))
        } throws: { error in
            let message = (error as? ProvisioningError)?.message ?? ""
            return message.contains("printed more than 4 MiB on stdout and was killed")
        }
    }

    @Test func aProvisionerRunsInTheRepositoryRootWithAScrubbedEnvironment() throws {
        let folder = try TemporaryDirectory("cmd-provisioner")
        let root = try TemporaryDirectory("checkout")
        let definition = try Self.provisioner("""
            #!/bin/sh
            cat >/dev/null
            printf '{"outputs": {"cwd": "%s", "token": "%s"}}\n' "$(pwd)" "${INNOMINATUS_GIT_TOKEN:-none}"
            """, in: folder)
        setenv("INNOMINATUS_GIT_TOKEN", "reconciler-secret", 1)
        defer { unsetenv("INNOMINATUS_GIT_TOKEN") }
        let result = try Provisioner(definition, workingDirectory: root.path).provision(Self.request, state: .map([]))
        #expect(result.outputs["cwd"]?.string == root.path)
        #expect(result.outputs["token"]?.string == "none")
    }

    @Test func aFailingCommandIsAClearError() throws {
        let folder = try TemporaryDirectory("cmd-provisioner")
        let definition = try Self.provisioner("#!/bin/sh\necho 'quota exceeded for custom' >&2\nexit 3\n", in: folder)
        #expect {
            try Provisioner(definition).provision(Self.request, state: .map([]))
        } throws: { error in
            let message = (error as? ProvisioningError)?.message ?? ""
            return message.contains("resources.thing") && message.contains("cmd://./provision.sh")
                && message.contains("status 3") && message.contains("quota exceeded for custom")
        }
    }

    /// 20 MiB on stderr, then the reason and a failing exit: only the last 64 KiB are ever held, and the error
    /// shows the end (where the reason is) and says the output was cut.
    @Test func twentyMiBOnStderrAreCappedAndTheErrorShowsTheEnd() throws {
        let folder = try TemporaryDirectory("cmd-provisioner")
        let script = """
            #!/bin/sh
            cat >/dev/null
            head -c 20971520 /dev/zero | tr '\\0' x >&2
            echo >&2
            echo 'fatal: the quota of custom is exhausted' >&2
            exit 4
            """
        try script.write(toFile: folder.appending("noisy.sh"), atomically: true, encoding: .utf8)
        chmod(folder.appending("noisy.sh"), 0o755)
        let result = try CommandRunner.run([folder.appending("noisy.sh")], input: Data("{}".utf8), environment: [:])
        #expect(result.status == 4)
        #expect(result.stderr.count == CommandRunner.stderrLimit, "held \(result.stderr.count) bytes of stderr")
        #expect(result.stderr.count + result.stderrDropped == 20_971_520 + 1 + 40)
        #expect(String(decoding: result.stderr.suffix(40), as: UTF8.self) == "fatal: the quota of custom is exhausted\n")

        let definition = try Self.provisioner(script, in: folder)
        #expect {
            try Provisioner(definition).provision(Self.request, state: .map([]))
        } throws: { error in
            let message = (error as? ProvisioningError)?.message ?? ""
            return message.contains("exited with status 4 after printing 20971561 bytes on stderr (only the last 64 KiB are kept); they end: ")
                && message.hasSuffix("fatal: the quota of custom is exhausted") && message.count < 2500
        }
    }

    @Test func outputThatIsNotJSONIsAClearError() throws {
        let folder = try TemporaryDirectory("cmd-provisioner")
        let definition = try Self.provisioner("#!/bin/sh\necho 'hello, not json'\n", in: folder)
        #expect {
            try Provisioner(definition).provision(Self.request, state: .map([]))
        } throws: { error in
            let message = (error as? ProvisioningError)?.message ?? ""
            return message.contains("not a JSON object") && message.contains("hello, not json")
        }
    }

    @Test func wrongShapesAndMissingProgramsAreErrors() throws {
        let folder = try TemporaryDirectory("cmd-provisioner")
        let definition = try Self.provisioner("#!/bin/sh\necho '{\"outputs\": [1, 2]}'\n", in: folder)
        #expect(throws: ProvisioningError.self) { try Provisioner(definition).provision(Self.request, state: .map([])) }
        var missing = definition
        missing.kind = .command(.init(program: folder.appending("absent.sh"), arguments: []))
        #expect {
            try Provisioner(missing).provision(Self.request, state: .map([]))
        } throws: { error in ((error as? ProvisioningError)?.message ?? "").contains("cannot start") }
    }
}

/// A provisioner that never finishes is killed at its deadline instead of hanging the render.
@Test func aHangingCommandIsKilledAtTheDeadline() throws {
    #expect {
        try CommandRunner.run(["/bin/sleep", "30"], input: Data(), environment: [:], timeout: .milliseconds(200))
    } throws: { error in ((error as? ProvisioningError)?.message ?? "").contains("was killed") }
}
