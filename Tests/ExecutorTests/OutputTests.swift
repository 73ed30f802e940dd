import Foundation
import Specs
import Testing
@testable import Executor

@Suite struct OutputTests {
    @Test func outputsFlowToLaterStepsAsPlaceholdersAndVariables() async throws {
        let sandbox = try Sandbox()
        let seen = sandbox.path("seen")
        let workflow = try Sandbox.workflow("""
            - {name: make-url, run: "echo url=http://x/${app.name} >> $INNOMINATUS_OUTPUT; echo 'note=a=b' >> $INNOMINATUS_OUTPUT"}
            - name: use
              env: {TARGET: "${steps.make-url.outputs.url}"}
              run: echo "$TARGET|$STEP_MAKE_URL_URL|${steps.make-url.outputs.note}|${commit}|${metadata.team}|${resources.db.host}" > \(seen); echo '$${literal}' >> \(seen)
            """)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .succeeded)
        #expect(outcome.step("make-url")?.outputs == ["url": "http://x/demo", "note": "a=b"])
        #expect(sandbox.read("seen") == "http://x/demo|http://x/demo|a=b|c0ffee|payments|db.internal\n${literal}\n")
    }

    /// `\.` in a reference is a dot inside a part, as the validator reads it: an output key may hold one.
    @Test func anEscapedDotNamesAnOutputKeyWithADot() async throws {
        let sandbox = try Sandbox()
        let seen = sandbox.path("seen")
        let workflow = try Sandbox.workflow(#"""
            - {name: make, run: "echo my.key=dotted >> $INNOMINATUS_OUTPUT"}
            - {name: use, dependsOn: [make], run: 'echo ${steps.make.outputs.my\.key} > \#(seen)'}
            """#)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .succeeded, "\(outcome)")
        #expect(sandbox.read("seen") == "dotted\n")
    }

    @Test func laterWorkflowsSeeEarlierOutputs() async throws {
        let sandbox = try Sandbox()
        let workflows = [
            try Sandbox.workflow("- {name: provision, run: \"echo endpoint=db:5432 >> $INNOMINATUS_OUTPUT\"}",
                                 name: "base", kind: "PlatformWorkflow"),
            try Sandbox.workflow("- {name: deploy, run: \"test \\\"$STEP_PROVISION_ENDPOINT\\\" = db:5432\"}", name: "app"),
        ]
        let outcome = await sandbox.executor().run(app: sandbox.app, workflows: workflows)
        #expect(outcome.result == .succeeded)
    }

    @Test func aMalformedOutputLineFailsTheStep() async throws {
        let sandbox = try Sandbox()
        let outcome = await sandbox.run(try Sandbox.workflow("- {name: bad, run: \"echo oops >> $INNOMINATUS_OUTPUT\"}"))
        #expect(outcome.step("bad")?.result == .failed)
        #expect(outcome.step("bad")?.message?.contains("key=value") == true)
    }

    @Test func theLogTailIsBoundedWhateverTheStepPrints() async throws {
        let sandbox = try Sandbox()
        // 100 MB in 1,000-byte lines, then a last marker line.
        let workflow = try Sandbox.workflow("""
            - name: loud
              run: |
                line=$(printf '%0999d' 0)
                yes "$line" | head -c 100000000
                echo the-end
            """)
        let outcome = await sandbox.run(workflow)
        let loud = try #require(outcome.step("loud"))
        #expect(loud.result == .succeeded)
        #expect(loud.log.count <= 200)
        #expect(loud.log.reduce(0) { $0 + $1.utf8.count + 1 } <= 64 * 1024)
        #expect(loud.log.last == "the-end")
        let size = try FileManager.default.attributesOfItem(atPath: sandbox.path("logs/application-wf/loud.log"))[.size] as? Int
        #expect((size ?? 0) <= StepLog.maxFileBytes + 1024)
    }
}

@Suite struct PlaceholderTests {
    static let scope = StepScope(app: AppContext(appName: "demo", product: nil, scoreFile: "s.yaml", commit: "abc",
                                                 metadata: ["team": "payments"], repositoryRoot: "/"),
                                 tier: .application, phase: .deployment, workflow: "wf", outputs: ["a": ["x": "1"]])

    @Test(arguments: [
        ("echo $$ $HOME", "echo $$ $HOME"),
        ("$${app.name}", "${app.name}"),
        ("$$${app.name}", "$$demo"),
        ("${app.product}|${commit}|${metadata.team}|${steps.a.outputs.x}", "|abc|payments|1"),
        ("cost: 5$", "cost: 5$"),
    ])
    func resolvesAndEscapes(text: String, expected: String) throws {
        #expect(try PlaceholderResolver(scope: Self.scope).resolve(text, field: "run") == expected)
    }

    @Test func anUnknownReferenceIsAnErrorNamingIt() {
        #expect(throws: ExecutorError.self) { try PlaceholderResolver(scope: Self.scope).resolve("${metadata.nope}", field: "run") }
        do {
            _ = try PlaceholderResolver(scope: Self.scope).resolve("x ${steps.a.outputs.y}", field: "steps.s.run")
        } catch {
            #expect(error.message.contains("'${steps.a.outputs.y}'"))
            #expect(error.message.contains("steps.s.run"))
        }
    }
}
