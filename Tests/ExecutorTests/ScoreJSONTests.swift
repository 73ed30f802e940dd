import Foundation
import Specs
import Testing
@testable import Executor

/// `SCORE_JSON`: every step gets the app's Score as JSON, in a private file of the run that is gone after it.
@Suite struct ScoreJSONTests {
    static let score = """
        apiVersion: score.dev/v1b1
        metadata:
          name: demo
          product: shop
          team: payments
          replicas: 3
          annotations: {innominatus.dev/owner: "a \\"quoted\\" \\\\ name"}
        containers:
          main:
            image: nginx:1.27
            resources: {limits: {cpu: 500m, memory: 256Mi}, requests: &r {cpu: "0.5", memory: 128M}}
            variables: {EMPTY: "", TAB: "a\\tb", NULLISH: "~"}
          side:
            image: busybox
            resources: {requests: *r}
        service:
          ports: {web: {port: 8080, targetPort: 80}}
        resources:
          db: {type: postgres, params: {ha: true, ratio: 0.25, zones: [a, b], none: null}}

        """

    /// A step that copies `$SCORE_JSON` and records where it was, its mode and its folder's mode.
    static let probe = """
        - name: probe
          run: |
            cp "$SCORE_JSON" copy.json
            echo "path=$SCORE_JSON" >> "$INNOMINATUS_OUTPUT"
            echo "mode=$(stat -c %a "$SCORE_JSON")" >> "$INNOMINATUS_OUTPUT"
            echo "folder=$(stat -c %a "$(dirname "$SCORE_JSON")")" >> "$INNOMINATUS_OUTPUT"
        """

    @Test func aStepReadsTheScoreAsJSONFromAPrivateFileThatIsRemovedAfterTheRun() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("apps/demo/score.yaml", Self.score)
        let outcome = await sandbox.run(try Sandbox.workflow(Self.probe))
        #expect(outcome.result == .succeeded, "\(outcome)")
        let outputs = try #require(outcome.step("probe")?.outputs)
        let path = try #require(outputs["path"])
        #expect(path.hasSuffix("/score.json"))
        #expect(!path.hasPrefix(sandbox.root), "in the executor's scratch folder, not in the checkout")
        #expect(outputs["mode"] == "600")
        #expect(outputs["folder"] == "700")
        #expect(!FileManager.default.fileExists(atPath: path), "removed when the run ended")
        #expect(!FileManager.default.fileExists(atPath: (path as NSString).deletingLastPathComponent))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sandbox.path("copy.json")))) as? [String: Any])
        let metadata = json["metadata"] as? [String: Any]
        #expect(metadata?["name"] as? String == "demo")
        #expect(metadata?["replicas"] as? Int == 3)
        #expect((metadata?["annotations"] as? [String: Any])?["innominatus.dev/owner"] as? String == "a \"quoted\" \\ name")
        let containers = json["containers"] as? [String: [String: Any]]
        let main = containers?["main"]
        let limits = (main?["resources"] as? [String: Any])?["limits"] as? [String: Any]
        #expect(limits?["cpu"] as? String == "500m")
        #expect(limits?["memory"] as? String == "256Mi")
        #expect(((containers?["side"]?["resources"] as? [String: Any])?["requests"] as? [String: Any])?["cpu"] as? String == "0.5",
                "an alias is expanded")
        #expect(main?["variables"] as? [String: String] == ["EMPTY": "", "TAB": "a\tb", "NULLISH": "~"])
        let port = ((json["service"] as? [String: Any])?["ports"] as? [String: Any])?["web"] as? [String: Any]
        #expect(port?["port"] as? Int == 8080)
        let params = ((json["resources"] as? [String: Any])?["db"] as? [String: Any])?["params"] as? [String: Any]
        #expect(params?["ha"] as? Bool == true)
        #expect(params?["ratio"] as? Double == 0.25)
        #expect(params?["zones"] as? [String] == ["a", "b"])
        #expect(params?["none"] is NSNull)
        // Keys stay in file order.
        let text = sandbox.read("copy.json")
        #expect(text.hasPrefix("{\"apiVersion\":\"score.dev/v1b1\",\"metadata\":{\"name\":\"demo\",\"product\":\"shop\""), "\(text)")
        #expect(text.hasSuffix("\"zones\":[\"a\",\"b\"],\"none\":null}}}}\n"), "\(text)")
    }

    @Test func everyStepOfEveryWorkflowOfTheRunSeesTheSameFile() async throws {
        let sandbox = try Sandbox()
        let workflows = [
            try Sandbox.workflow("- {name: a, run: 'echo p=$SCORE_JSON >> $INNOMINATUS_OUTPUT'}", name: "base", kind: "PlatformWorkflow"),
            try Sandbox.workflow("- {name: b, run: 'test \"$SCORE_JSON\" = \"$STEP_A_P\" && test -s \"$SCORE_JSON\"'}", name: "app"),
        ]
        let outcome = await sandbox.executor().run(app: sandbox.app, workflows: workflows)
        #expect(outcome.result == .succeeded, "\(outcome)")
    }

    @Test func aPluginGetsThePathInItsContextAndItsEnvironment() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("plugins/probe", """
            #!/bin/sh
            document=$(cat)
            case "$document" in *"\\"scoreJSON\\":\\"$SCORE_JSON\\""*) ;; *) echo "no scoreJSON in $document" >&2; exit 3;; esac
            test -s "$SCORE_JSON" || exit 4
            echo '{"outputs": {"ok": "yes"}}'
            """, executable: true)
        let admin = try Sandbox.admin("stepTypes: {probe: {command: [./plugins/probe]}}")
        let outcome = await sandbox.run(try Sandbox.workflow("- {name: p, type: probe}"), admin: admin)
        #expect(outcome.step("p")?.outputs == ["ok": "yes"], "\(outcome)")
    }

    @Test func withoutAReadableScoreFileThereIsNoScoreJSON() async throws {
        let sandbox = try Sandbox()
        var app = sandbox.app
        app.scoreFile = "apps/missing/score.yaml"
        let workflow = try Sandbox.workflow("- {name: s, run: '! env | grep -q ^SCORE_JSON='}")
        let outcome = await sandbox.executor().run(workflow, app: app)
        #expect(outcome.result == .succeeded, "\(outcome)")
    }

    @Test(arguments: [
        ("1.5", "1.5"), (".inf", "\".inf\""), ("-.Inf", "\"-.Inf\""), (".nan", "\".nan\""), ("1e3", "1000.0"),
        ("'\\u0001x'", "\"\\\\u0001x\""), ("\"\\u0001x\"", "\"\\u0001x\""), ("\"\\u2028\"", "\"\\u2028\""), ("0x1F", "31"), ("~", "null"), ("[]", "[]"), ("{}", "{}"),
    ])
    func scalarsBecomeJSONThatParsersRead(yaml: String, json: String) throws {
        let read = YAMLReader().read(Array("v: \(yaml)\n".utf8), file: "t.yaml")
        let node = try #require(read.documents.first?["v"], "\(read.diagnostics)")
        var text = ""
        ScoreJSON.append(node, to: &text)
        #expect(text == json)
        #expect((try? JSONSerialization.jsonObject(with: Data("[\(text)]".utf8))) != nil, "\(text) is JSON")
    }
}
