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

/// A step's strings mean what the validator says they mean (docs/ARCHITECTURE.md §2, §15): the executor cuts
/// them with the validator's tokenizer, so the references `Placeholder.scan` finds are exactly the ones
/// substituted, '\.' is a dot inside a key, and a backslash before '${' is no escape.
@Suite struct PlaceholderAgreementTests {
    static let scope = StepScope(app: AppContext(appName: "demo", product: nil, scoreFile: "s.yaml", commit: "abc",
                                                 metadata: ["team": "payments", "a.b": "dotted-meta"],
                                                 resources: ["db": ["a.b": "dotted-output", "host": "db-host"]],
                                                 repositoryRoot: "/"),
                                 tier: .application, phase: .deployment, workflow: "wf",
                                 outputs: ["make.url": ["x": "dotted-step"]])

    @Test(arguments: [
        (#"${steps.make\.url.outputs.x}"#, 1, "dotted-step"),
        (#"${resources.db.a\.b}"#, 1, "dotted-output"),
        (#"${metadata.a\.b}"#, 1, "dotted-meta"),
        (#"\${app.name}"#, 1, #"\demo"#),
        (#"\$${app.name}"#, 0, #"\${app.name}"#),
        ("$${app.name} ${app.name}", 1, "${app.name} demo"),
        ("$$${app.name}", 1, "$$demo"),
        ("$HOME ${resources.db.host}", 1, "$HOME db-host"),
    ])
    func substitutesWhatTheValidatorFinds(text: String, references: Int, expected: String) throws {
        let found = Placeholder.scan(text)
        #expect(found.problems.isEmpty)
        #expect(found.placeholders.count == references)
        var substituted = 0
        let resolved = try PlaceholderResolver(scope: Self.scope).resolve(text, field: "run") { value, _ in
            substituted += 1
            return value
        }
        #expect(substituted == references)
        #expect(resolved == expected)
    }

    /// The validator reads `${resources.db.a.b}` as output `b` of output `a`, which a step never sees (its
    /// outputs are one level deep), not as the output `a.b`: the step refuses it rather than guess.
    @Test func anUnescapedDotIsALevelNotPartOfTheKey() {
        #expect(Placeholder.scan("${resources.db.a.b}").placeholders.first?.parts == ["resources", "db", "a", "b"])
        #expect(throws: ExecutorError.self) { try PlaceholderResolver(scope: Self.scope).resolve("${resources.db.a.b}", field: "run") }
        #expect(throws: ExecutorError.self) { try PlaceholderResolver(scope: Self.scope).resolve("${metadata.a.b}", field: "run") }
    }

    /// What the validator calls malformed, the executor refuses with the validator's sentence.
    @Test func aMalformedReferenceIsRefusedWithTheValidatorsReason() throws {
        let problem = try #require(Placeholder.scan("${app. name}").problems.first)
        do {
            _ = try PlaceholderResolver(scope: Self.scope).resolve("${app. name}", field: "run")
            Issue.record("resolved a malformed reference")
        } catch {
            #expect(error.message == "run: \(problem)")
        }
    }
}
