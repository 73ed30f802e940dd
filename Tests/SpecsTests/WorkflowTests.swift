import Testing
@testable import Specs

/// Workflow files (docs/ARCHITECTURE.md §2): every field, step types, env forms, DAG rules, durations.
@Suite struct WorkflowTests {
    static let full = """
        apiVersion: workflow.dev/v1
        kind: PlatformWorkflow
        metadata:
          name: security-scan
          description: Scan images
          owner: platform-team
          phase: pre-deployment
        spec:
          triggers: [all_deployments, first_deployment]
          timeout: 10m
          inputs: [scripts/scan.sh, "scripts/lib/*.sh"]
          steps:
            - name: scan
              type: shell
              run: ./scripts/scan.sh "$SCORE_FILE" ${app.name} ${commit}
              env:
                SEVERITY: HIGH
                TOKEN: {fromEnv: SCANNER_TOKEN, secret: true}
                CA: {fromFile: certs/ca.pem}
                LITERAL: {value: "${metadata.team}", secret: false}
              dependsOn: []
              when: on_success
              if: ${app.product} == ecommerce
              timeout: 2m
              retries: 2
            - name: notify
              type: http
              method: POST
              url: https://hooks.example.com/${app.name}
              headers: {Content-Type: application/json}
              body: '{"result": "${steps.scan.outputs.result}"}'
              expectedStatus: [200, 204]
              dependsOn: [scan]
              when: always
            - name: vulnerability-scan
              type: security
              config: {scanner: trivy, severityThreshold: HIGH, team: "${metadata.team}", nested: {list: [1, 2]}}
              dependsOn: [scan]
              timeout: 500ms
        """

    @Test func aFullWorkflowDecodes() throws {
        let report = SpecTesting.validate(Self.full)
        #expect(report.kind == .workflow)
        #expect(report.errors.isEmpty, "\(report.summary)")
        let workflow = try #require(report.workflow)
        #expect(workflow.kind == .platform)
        #expect(workflow.phase == .preDeployment)
        #expect(workflow.triggers == [.allDeployments, .firstDeployment])
        #expect(workflow.timeout == SpecDuration(milliseconds: 600_000))
        #expect(workflow.inputs.count == 2)
        #expect(workflow.isGraph)
        let scan = workflow.steps[0]
        #expect(scan.type == .shell)
        #expect(scan.env.map(\.name) == ["SEVERITY", "TOKEN", "CA", "LITERAL"])
        #expect(scan.env[1].value == .init(source: .fromEnv("SCANNER_TOKEN"), secret: true))
        #expect(scan.env[2].value.source == .fromFile("certs/ca.pem"))
        #expect(scan.retries == 2)
        #expect(scan.condition == "${app.product} == ecommerce")
        let notify = workflow.steps[1]
        #expect(notify.http == .init(method: "POST", url: "https://hooks.example.com/${app.name}",
                                     headers: ["Content-Type": "application/json"],
                                     body: "{\"result\": \"${steps.scan.outputs.result}\"}", expectedStatus: [200, 204]))
        #expect(notify.when == .always)
        let plugin = workflow.steps[2]
        #expect(plugin.type == .plugin("security"))
        #expect(plugin.config?["scanner"]?.string == "trivy")
        #expect(plugin.timeout == SpecDuration(milliseconds: 500))
    }

    @Test(arguments: [("PlatformWorkflow", Workflow.Trigger.allDeployments), ("ProductWorkflow", .productDeployment),
                      ("Workflow", .allDeployments)])
    func defaultsDependOnTheKind(kind: String, trigger: Workflow.Trigger) {
        let report = SpecTesting.validate("""
            apiVersion: orchestrator.innominatus.dev/v1
            kind: \(kind)
            metadata: {name: deploy}
            spec:
              steps: [{name: a, run: "true"}]
            """)
        #expect(report.errors.isEmpty, "\(report.summary)")
        #expect(report.workflow?.triggers == [trigger])
        #expect(report.workflow?.phase == .deployment)
        #expect(report.workflow?.steps.first?.type == .shell)
        #expect(report.workflow?.isGraph == false)
    }

    static func workflow(steps: String, spec: String = "", metadata: String = "") -> String {
        "apiVersion: workflow.dev/v1\nkind: Workflow\nmetadata:\n  name: wf\n\(metadata)spec:\n\(spec)  steps:\n\(steps)"
    }

    static let negativeCases: [(String, String, String)] = [
        ("apiVersion: workflow.dev/v2\nkind: Workflow\nmetadata: {name: wf}\nspec: {steps: [{name: a, run: x}]}",
         "apiVersion", "not one of"),
        ("apiVersion: workflow.dev/v1\nkind: Pipeline\nmetadata: {name: wf}\nspec: {steps: [{name: a, run: x}]}",
         "kind", "not one of"),
        ("apiVersion: workflow.dev/v1\nkind: Workflow\nmetadata: {name: Bad_Name}\nspec: {steps: [{name: a, run: x}]}",
         "metadata.name", "not valid"),
        ("apiVersion: workflow.dev/v1\nkind: Workflow\nmetadata: {name: wf}\n", "", "missing required field 'spec'"),
        (workflow(steps: "    - {name: a, run: x}\n", metadata: "  phase: predeploy\n"), "metadata.phase", "not one of"),
        (workflow(steps: "    - {name: a, run: x}\n", metadata: "  phase: destory\n"), "metadata.phase", "Did you mean 'destroy'?"),
        (workflow(steps: "    - {name: a, run: x}\n", metadata: "  product: shop\n"), "metadata.product", "only a ProductWorkflow"),
        (workflow(steps: "    - {name: a, run: x}\n", metadata: "  ownr: me\n"), "metadata.ownr", "Did you mean 'owner'?"),
        (workflow(steps: "    - {name: a, run: x}\n", spec: "  triggers: [on_push]\n"), "spec.triggers[0]", "not one of"),
        (workflow(steps: "    - {name: a, run: x}\n", spec: "  triggers: manual\n"), "spec.triggers", "must be a list"),
        (workflow(steps: "    - {name: a, run: x}\n", spec: "  timeout: 10 minutes\n"), "spec.timeout", "not a duration"),
        (workflow(steps: "    - {name: a, run: x}\n", spec: "  timeout: 600\n"), "spec.timeout", "must be a string"),
        (workflow(steps: "    - {name: a, run: x}\n", spec: "  timeout: 0s\n"), "spec.timeout", "not a duration"),
        (workflow(steps: "    - {name: a, run: x}\n", spec: "  inputs: [../secrets]\n"), "spec.inputs[0]", "leaves the repository"),
        (workflow(steps: "    - {name: a, run: x}\n", spec: "  inputs: [/etc/passwd]\n"), "spec.inputs[0]", "absolute"),
        (workflow(steps: "    []\n"), "spec.steps", "at least one step"),
        (workflow(steps: "    - {name: a, run: x}\n    - {name: a, run: y}\n"), "spec.steps[1].name", "unique"),
        (workflow(steps: "    - {name: a, run: x, dependsOn: [b]}\n"), "spec.steps[0].dependsOn[0]", "no step named 'b'"),
        (workflow(steps: "    - {name: a, run: x, dependsOn: [a]}\n"), "spec.steps[0].dependsOn[0]", "itself"),
        (workflow(steps: "    - {name: a, run: x, dependsOn: [b]}\n    - {name: b, run: x, dependsOn: [a]}\n"),
         "spec.steps[0].dependsOn", "cycle"),
        (workflow(steps: "    - {name: a, run: x, dependOn: [b]}\n"), "spec.steps[0].dependOn", "Did you mean 'dependsOn'?"),
        (workflow(steps: "    - {name: a, type: shell}\n"), "spec.steps[0]", "needs 'run'"),
        (workflow(steps: "    - {name: a}\n"), "spec.steps[0]", "missing required field 'type'"),
        (workflow(steps: "    - {name: a, type: http}\n"), "spec.steps[0]", "needs 'url'"),
        (workflow(steps: "    - {name: a, type: http, url: ftp://x}\n"), "spec.steps[0].url", "not an http"),
        (workflow(steps: "    - {name: a, type: http, url: http://x, method: FETCH}\n"), "spec.steps[0].method", "not one of"),
        (workflow(steps: "    - {name: a, type: http, url: http://x, expectedStatus: 700}\n"), "spec.steps[0].expectedStatus", "between"),
        (workflow(steps: "    - {name: a, type: http, url: http://x, run: y}\n"), "spec.steps[0].run", "does not apply"),
        (workflow(steps: "    - {name: a, type: shell, run: x, config: {a: 1}}\n"), "spec.steps[0].config", "does not apply"),
        (workflow(steps: "    - {name: a, type: vault, config: [1]}\n"), "spec.steps[0].config", "must be a map"),
        (workflow(steps: "    - {name: a, type: Vault_Setup}\n"), "spec.steps[0].type", "not valid"),
        (workflow(steps: "    - {name: a, run: x, when: sometimes}\n"), "spec.steps[0].when", "not one of"),
        (workflow(steps: "    - {name: a, run: x, retries: -1}\n"), "spec.steps[0].retries", "between"),
        (workflow(steps: "    - {name: a, run: x, retries: two}\n"), "spec.steps[0].retries", "must be an integer"),
        (workflow(steps: "    - {name: a, run: x, timeout: 1d}\n"), "spec.steps[0].timeout", "not a duration"),
        (workflow(steps: "    - {name: a, run: x, env: {A: 1}}\n"), "spec.steps[0].env.A", "quote it"),
        (workflow(steps: "    - {name: a, run: x, env: {A: null}}\n"), "spec.steps[0].env.A", "not null"),
        (workflow(steps: "    - {name: a, run: x, env: {1A: x}}\n"), "spec.steps[0].env.1A", "environment variable name"),
        (workflow(steps: "    - {name: a, run: x, env: {A: {fromEnv: X, value: y}}}\n"), "spec.steps[0].env.A", "not several"),
        (workflow(steps: "    - {name: a, run: x, env: {A: {secret: true}}}\n"), "spec.steps[0].env.A", "needs one of"),
        (workflow(steps: "    - {name: a, run: x, env: {A: {fromFile: ../../etc/passwd}}}\n"), "spec.steps[0].env.A.fromFile", "leaves"),
        (workflow(steps: "    - {name: a, run: x, env: {A: {value: x, secret: \"yes\"}}}\n"), "spec.steps[0].env.A.secret", "true or false"),
        (workflow(steps: "    - {name: a, run: x, env: {A: {fromEnv: x, scret: true}}}\n"), "spec.steps[0].env.A.scret", "Did you mean 'secret'?"),
        (workflow(steps: "    - {name: a, run: \"echo ${HOME}\"}\n"), "spec.steps[0].run", "unknown placeholder '${HOME}'"),
        (workflow(steps: "    - {name: a, run: \"echo ${app.nam}\"}\n"), "spec.steps[0].run", "unknown placeholder"),
        (workflow(steps: "    - {name: a, run: \"echo ${steps.b.outputs.k}\"}\n"), "spec.steps[0].run", "does not have"),
        (workflow(steps: "    - {name: a, run: \"echo ${steps.a.outputs.k}\"}\n"), "spec.steps[0].run", "own outputs"),
        (workflow(steps: "    - {name: a, run: \"echo ${commit\"}\n"), "spec.steps[0].run", "not closed"),
        (workflow(steps: "    - {name: a, type: vault, config: {x: \"${nope}\"}}\n"), "spec.steps[0].config.x", "unknown placeholder"),
        (workflow(steps: "    - {name: a, run: x, if: \"${bad.ref} == 1\"}\n"), "spec.steps[0].if", "unknown placeholder"),
    ]

    @Test(arguments: negativeCases)
    func workflowRuleViolationsAreErrors(yaml: String, field: String, message: String) {
        let report = SpecTesting.validate(yaml, as: .workflow)
        #expect(report.hasError(field: field, containing: message), "\(report.summary)")
        #expect(report.workflow == nil)
    }

    @Test func escapedPlaceholdersAndShellVariablesWithoutBracesPass() {
        let report = SpecTesting.validate(Self.workflow(steps: "    - {name: a, run: \"echo $HOME $${PATH} $$ ${steps.b.outputs.x}\"}\n    - {name: b, run: x}\n"))
        #expect(report.errors.isEmpty, "\(report.summary)")
    }

    @Test(arguments: [("500ms", 500), ("90s", 90_000), ("10m", 600_000), ("1h", 3_600_000)])
    func durationsParse(text: String, milliseconds: Int) {
        #expect(SpecDuration(parsing: text)?.milliseconds == milliseconds)
        #expect(SpecDuration(parsing: text)?.description == text)
    }

    @Test(arguments: ["", "10", "1.5s", "-1s", "1d", "s", "10 m", "1h30m", "0ms"])
    func badDurationsAreRejected(text: String) {
        #expect(SpecDuration(parsing: text) == nil)
    }

    @Test func aLongDependencyChainIsChecked() {
        var steps = "    - {name: s0, run: x}\n"
        for index in 1..<2_000 { steps += "    - {name: s\(index), run: x, dependsOn: [s\(index - 1)]}\n" }
        let report = SpecTesting.validate(Self.workflow(steps: steps))
        #expect(report.errors.isEmpty)
        #expect(report.workflow?.steps.count == 2_000)
    }
}
