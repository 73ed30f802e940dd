import Foundation
import Migration
import Specs
import Testing

/// The migration as values: the catalogue fixture (every step type, field, placeholder and admin block of
/// the original) in, files and the report out. No process runs.
@Suite struct MigrationConversionTests {
    let result: MigrationResult

    init() throws {
        result = try MigrationFixtures.migrate("catalogue")
    }

    func changes(of source: String) -> [MigrationReport.Change] {
        result.report.files.filter { $0.source == source }.flatMap(\.changes)
    }

    @Test func layoutIsThisProjects() throws {
        let paths = Set(result.files.map(\.path))
        for path in ["policies/admin-config.yaml", "workflows/platform/guard-rails.yaml", "workflows/products/data/warehouse.yaml",
                     "apps/analytics/score.yaml", "apps/batch/score.yaml", "apps/batch/workflows/nightly.yaml",
                     "golden-paths/rollout.yaml.template", "golden-paths/loose.yaml.template",
                     "workflows/plugins/terraform", "workflows/plugins/kubernetes", "workflows/plugins/ansible",
                     "workflows/plugins/policy", "workflows/plugins/unported-step",
                     "infra/warehouse/main.tf", "deploy/k8s/stream.yaml", "playbooks/tune.yml", "MIGRATION.md"] {
            #expect(paths.contains(path), "missing \(path)")
        }
        #expect(!paths.contains { $0.hasPrefix("migration/rejected/") })
        #expect(result.file("workflows/plugins/terraform")?.executable == true)
        #expect(result.file("infra/warehouse/main.tf")?.content == .copy("infra/warehouse/main.tf"))
        #expect(result.report.validationErrors.isEmpty, "\(result.report.validationErrors)")
        #expect(result.report.ignored.contains("examples/notes.yaml"))
    }

    @Test(arguments: [
        ("workflows/platform/guard-rails.yaml", "workflows/platform/guard-rails.yaml", "PlatformWorkflow"),
        ("workflows/products/data/warehouse.yaml", "workflows/products/data/warehouse.yaml", "ProductWorkflow"),
        ("workflows/archive/golden/rollout.yaml", "golden-paths/rollout.yaml.template", "Workflow"),
    ])
    func workflowKeepsNameTierPhaseTriggersAndSteps(source: String, destination: String, kind: String) throws {
        let original = try MigrationFixtures.source("catalogue", source)
        let migrated = try #require(MigrationFixtures.migrated(result, destination))
        #expect(migrated["kind"]?.string == kind)
        #expect(migrated[path: "metadata", "name"]?.string == original[path: "metadata", "name"]?.string)
        #expect(migrated[path: "metadata", "phase"]?.string == original[path: "metadata", "phase"]?.string)
        #expect(migrated[path: "metadata", "product"]?.string == original[path: "metadata", "product"]?.string)
        if kind != "Workflow" {
            #expect(migrated[path: "spec", "triggers"]?.items?.map(\.string) == original[path: "spec", "triggers"]?.items?.map(\.string))
        } else {
            #expect(migrated[path: "spec", "triggers"]?.items?.map(\.string) == ["manual"])
        }
        let names = { (node: YAMLNode) in node[path: "spec", "steps"]?.items?.map { $0["name"]?.string } ?? [] }
        #expect(names(migrated) == names(original))
        #expect(!names(migrated).isEmpty)
    }

    @Test func stepTypesMapToShellOrPlugins() throws {
        let warehouse = try #require(MigrationFixtures.migrated(result, "workflows/products/data/warehouse.yaml"))
        let types = warehouse[path: "spec", "steps"]?.items?.map { $0["type"]?.string }
        #expect(types == ["terraform", "database-schema", "kubernetes", "kubernetes", "ansible", "shell"])
        let report = try #require(warehouse[path: "spec", "steps", 5, "run"]?.string)
        #expect(report.hasPrefix("bash -s <<'INNOMINATUS_SCRIPT'\n"))
        let admin = try #require(MigrationFixtures.migrated(result, "policies/admin-config.yaml"))
        let stepTypes = try #require(admin[path: "workflowPolicies", "stepTypes"])
        #expect(stepTypes[path: "terraform", "command"]?.items?.map(\.string) == ["./workflows/plugins/terraform"])
        #expect(stepTypes[path: "policy", "command"]?.items?.map(\.string) == ["./workflows/plugins/policy"])
        #expect(stepTypes[path: "security", "command"]?.items?.map(\.string) == ["./workflows/plugins/unported-step", "security", "placeholder"])
        #expect(stepTypes[path: "argocd-app", "command"]?.items?.map(\.string) == ["./workflows/plugins/unported-step", "argocd-app", "integration"])
        #expect(stepTypes["shell"] == nil)
    }

    @Test func stepFieldsBecomeConfigOrOurs() throws {
        let steps = try #require(MigrationFixtures.migrated(result, "workflows/products/data/warehouse.yaml")?[path: "spec", "steps"])
        #expect(steps[path: 0, "config", "path"]?.string == "./infra/warehouse")
        #expect(steps[path: 0, "config", "operation"]?.string == "apply")
        #expect(steps[path: 2, "config", "namespace"]?.string == "${app.name}-${metadata.environment}")
        #expect(steps[path: 2, "config", "manifests"]?.string == "./deploy/k8s")
        #expect(steps[path: 4, "config", "playbook"]?.string == "tune.yml")
        #expect(steps[path: 4, "config", "outputFile"]?.string == "./tune-outputs.json")
        #expect(steps[path: 4, "config", "setVariables", "tuned"]?.string == "yes")
        #expect(steps[path: 4, "timeout"]?.string == "90s")
        #expect(steps[path: 4, "when"]?.string == "on_success")
        #expect(steps[path: 4, "retries"]?.value == .int(1))
        #expect(steps[path: 4, "if"] == nil)
        // parallel: stream-a and stream-b both follow load-schema; tune waits for both.
        #expect(steps[path: 2, "dependsOn"] == nil)
        #expect(steps[path: 3, "dependsOn"]?.items?.map(\.string) == ["load-schema"])
        #expect(steps[path: 4, "dependsOn"]?.items?.map(\.string) == ["stream-a", "stream-b"])
        let inputs = MigrationFixtures.migrated(result, "workflows/products/data/warehouse.yaml")?[path: "spec", "inputs"]?.items?.map(\.string)
        #expect(inputs == ["infra/warehouse", "deploy/k8s", "playbooks"])
    }

    @Test func placeholdersAreTranslatedOrListed() throws {
        let steps = try #require(MigrationFixtures.migrated(result, "workflows/products/data/warehouse.yaml")?[path: "spec", "steps"])
        #expect(steps[path: 1, "config", "connection"]?.string == "${steps.provision.outputs.dsn}")
        let script = try #require(steps[path: 5, "run"]?.string)
        #expect(script.contains("warehouse ${steps.provision.outputs.dsn} tuned=${steps.tune.outputs.tuned} at $${timestamp} for $${admin.budget} in $HOME"))
        let manual = result.report.manualSteps.map(\.message)
        #expect(manual.contains { $0.hasPrefix("${admin.budget} has no equivalent") })
        #expect(manual.contains { $0.hasPrefix("step 'opa-check' evaluates the policy 'no-latest-tag': write it as policies/opa/no-latest-tag.rego") })
        let golden = try #require(MigrationFixtures.migrated(result, "golden-paths/rollout.yaml.template"))
        #expect(golden[path: "spec", "steps", 0, "run"]?.string?.contains("rolling out ${metadata.name} to eu-central-2 (asked: eu-west-1, ${app.name}) $${GREETING:-hi}") == true)
        let nightly = try #require(MigrationFixtures.migrated(result, "apps/batch/workflows/nightly.yaml"))
        #expect(nightly[path: "spec", "steps", 0, "run"]?.string?.contains("in zone-7") == true)
        // Each placeholder conversion names the file:line:column it was written at.
        let converted = changes(of: "workflows/products/data/warehouse.yaml").filter { $0.kind == .converted }
        #expect(converted.contains { $0.location == "workflows/products/data/warehouse.yaml:23:21" && $0.message.hasPrefix("${terraform.dsn} → ${steps.provision.outputs.dsn}") })
    }

    @Test func adminConfigKeepsWhatHasAMeaningAndSaysWhyTheRestWentAway() throws {
        let admin = try #require(MigrationFixtures.migrated(result, "policies/admin-config.yaml")?["workflowPolicies"])
        #expect(admin["allowedProductWorkflows"]?.items?.map(\.string) == ["data/warehouse", "data/retired-job"])
        #expect(admin["requiredPlatformWorkflows"]?.items?.map(\.string) == ["guard-rails"])
        #expect(admin["maxStepsPerWorkflow"]?.value == .int(12))
        #expect(admin["maxConcurrentWorkflows"]?.value == .int(3))
        #expect(admin["maxWorkflowDuration"]?.string == "20m")
        let allowed = admin["allowedStepTypes"]?.items?.compactMap(\.string) ?? []
        #expect(Array(allowed.prefix(5)) == ["terraform", "kubernetes", "ansible", "security", "policy"])
        #expect(allowed.contains("database-schema") && allowed.contains("shell"))
        #expect(admin["workflowOverrides"] == nil && admin["security"] == nil)
        let changes = changes(of: "policies/workflow-policies.yaml")
        #expect(changes.contains { $0.kind == .inconsistency && $0.message.hasPrefix("step type 'database-schema' is used by product workflow 'data/warehouse' (workflows/products/data/warehouse.yaml) but is not in allowedStepTypes") })
        #expect(changes.contains { $0.kind == .inconsistency && $0.message.hasPrefix("required platform workflow 'spend-report' is not in the source") })
        #expect(changes.contains { $0.kind == .inconsistency && $0.message.hasPrefix("'data/retired-job' is allowed but no such product workflow") })
        #expect(changes.contains { $0.kind == .dropped && $0.message.hasPrefix("workflowOverrides: tiers never override each other") })
        for key in ["requireApproval", "allowedExecutors", "secretsAccess"] {
            #expect(changes.contains { $0.kind == .dropped && $0.message.hasPrefix("security.\(key): ") }, "security.\(key)")
        }
    }

    @Test func scoreFilesAreConverted() throws {
        let score = try #require(MigrationFixtures.migrated(result, "apps/batch/score.yaml"))
        #expect(score["workflows"] == nil && score["variables"] == nil)
        // The duplicate name: one file wins by path order, the other is reported and not migrated.
        let analytics = result.report.files.filter { $0.source.hasPrefix("examples/score-analytics") }
        #expect(analytics.filter { $0.destination == "apps/analytics/score.yaml" }.count == 1)
        #expect(analytics.contains { $0.destination == nil && $0.changes.contains { $0.kind == .manual && $0.message.contains("is also the name of") } })
        // The conversions of a Score file, on one that is migrated alone.
        let single = Migrator().migrate(MigrationSource(yamlFiles: [RepoFile(
            path: "examples/score-analytics.yaml",
            bytes: Array(try Data(contentsOf: MigrationFixtures.root.appendingPathComponent("catalogue/examples/score-analytics.yaml"))))]))
        let migrated = try #require(MigrationFixtures.migrated(single, "apps/analytics/score.yaml"))
        #expect(migrated[path: "containers", "main", "env"] == nil)
        #expect(migrated[path: "containers", "main", "variables", "WAREHOUSE_URL"]?.string == "${resources.warehouse.host}")
        #expect(migrated[path: "containers", "main", "variables", "STAGE"]?.string == "${metadata.environment}")
        #expect(migrated[path: "containers", "main", "variables", "LOG_LEVEL"]?.string == "info")
        #expect(migrated[path: "containers", "main", "livenessProbe", "initialDelaySeconds"] == nil)
        #expect(migrated[path: "service", "ports", "api", "port"]?.value == .int(9000))
        #expect(migrated[path: "resources", "warehouse", "params", "version"]?.string == "16")
        #expect(migrated[path: "resources", "warehouse", "properties"] == nil)
        #expect(migrated["environment"] == nil)
        #expect(migrated[path: "metadata", "environment"]?.string == "prod")
        #expect(migrated[path: "metadata", "annotations", "innominatus.dev/environment-region"]?.string == "eu")
        #expect(single.report.validationErrors.isEmpty, "\(single.report.validationErrors)")
    }

    @Test func reportNamesEachConversion() throws {
        let markdown = try #require(result.file("MIGRATION.md")?.text)
        #expect(markdown == result.report.markdown)
        for line in [
            "- converted: examples/score-analytics-next.yaml:3:3: metadata.environment: development added",
            "### workflows/products/data/warehouse.yaml → workflows/products/data/warehouse.yaml",
            "- converted: workflows/products/data/warehouse.yaml:14:7: step 'provision': type terraform → the plugin workflows/plugins/terraform",
            "- converted: workflows/products/data/warehouse.yaml:51:7: step 'report': type policy with config.script → type shell",
            "- converted: workflows/products/data/warehouse.yaml:44:7: timeout: 90 (seconds) → timeout: 90s",
            "- converted: workflows/products/data/warehouse.yaml:31:7: step 'stream-b': parallel → dependsOn [\"load-schema\"]",
            "- manual: workflows/products/data/warehouse.yaml:46:7: if: 'resources.db != null' is a condition",
            "- manual: workflows/platform/guard-rails.yaml:12:7: step 'image-scan': type security → the plugin workflows/plugins/unported-step, which FAILS",
            "- converted: policies/workflow-policies.yaml: a kind: WorkflowPolicies document → the workflowPolicies block",
            "- converted: examples/score-batch.yaml:7:1: the Score's inline workflows → apps/batch/workflows/NAME.yaml",
            "- workflows/plugins/unported-step: the plugin of the step types with no working equivalent (argocd-app, database-schema, dummy, security)",
            "## Manual steps (",
            "The destination validates",
        ] {
            #expect(markdown.contains(line), "the report lacks: \(line)")
        }
    }

    @Test func secretsOfTheOriginalAdminConfigAreNeverCopied() throws {
        let runnable = try MigrationFixtures.migrate("runnable")
        for file in runnable.files {
            #expect(file.text?.contains("fixture-password-do-not-copy") != true, "\(file.path)")
        }
        let changes = runnable.report.files.flatMap(\.changes)
        #expect(changes.contains { $0.kind == .dropped && $0.location == "admin-config.yaml:30:1" && $0.message.hasPrefix("gitea: credentials never live") })
        #expect(changes.contains { $0.kind == .manual && $0.message.hasPrefix("rotate the gitea credentials") })
    }

    @Test func anAppMissingMetadataItsPlatformWorkflowReadsIsAManualStep() throws {
        func file(_ path: String, _ text: String) -> RepoFile { RepoFile(path: path, bytes: Array(text.utf8)) }
        let source = MigrationSource(yamlFiles: [
            file("workflows/platform/tags.yaml", """
                apiVersion: workflow.dev/v1
                kind: PlatformWorkflow
                metadata: {name: tags}
                spec:
                  steps:
                    - name: tag
                      type: policy
                      config: {script: "echo ${metadata.costCenter}"}
                """),
            file("examples/with.yaml", "apiVersion: score.dev/v1b1\nmetadata: {name: with, costCenter: cc-1}\ncontainers: {main: {image: nginx}}\n"),
            file("examples/without.yaml", "apiVersion: score.dev/v1b1\nmetadata: {name: without}\ncontainers: {main: {image: nginx}}\n"),
        ])
        let result = Migrator().migrate(source)
        let manual = result.report.manualSteps
        #expect(manual.filter { $0.message.hasPrefix("metadata.costCenter is missing") }.map(\.location) == ["examples/without.yaml"])
        #expect(result.report.validationErrors.isEmpty, "\(result.report.validationErrors)")
    }

    static func file(_ path: String, _ text: String) -> RepoFile { RepoFile(path: path, bytes: Array(text.utf8)) }

    @Test func theRootAdminConfigWinsAndTheOtherPolicySourcesAreComparedWithIt() throws {
        let result = Migrator().migrate(MigrationSource(yamlFiles: [
            Self.file("admin-config.yaml", "workflowPolicies:\n  allowedProductWorkflows: [a/one]\n  allowedStepTypes: [terraform, tagging]\n"),
            Self.file("workflows/archive/policies/workflow-policies.yaml", """
                apiVersion: workflow.dev/v1
                kind: WorkflowPolicies
                metadata: {name: p}
                spec:
                  allowedProductWorkflows: [a/one, a/two]
                  resources: {allowedStepTypes: [terraform]}
                """),
        ]))
        let admin = try #require(MigrationFixtures.migrated(result, "policies/admin-config.yaml")?["workflowPolicies"])
        #expect(admin["allowedProductWorkflows"]?.items?.map(\.string) == ["a/one"])
        let other = try #require(result.report.files.first { $0.source == "workflows/archive/policies/workflow-policies.yaml" })
        #expect(other.destination == nil)
        #expect(other.changes.contains { $0.kind == .inconsistency && $0.message == "allowedProductWorkflows differs from admin-config.yaml's; only here: [\"a/two\"]" })
        #expect(other.changes.contains { $0.kind == .inconsistency && $0.message == "allowedStepTypes differs from admin-config.yaml's; only in admin-config.yaml: [\"tagging\"]" })
        let chosen = try #require(result.report.files.first { $0.source == "admin-config.yaml" })
        #expect(chosen.changes.allSatisfy { !$0.location.hasPrefix("workflows/archive/policies/") })
    }

    @Test func withNoAdminConfigTheDestinationStillValidatesAndSaysSo() throws {
        let result = Migrator().migrate(MigrationSource(yamlFiles: [
            Self.file("examples/app.yaml", "apiVersion: score.dev/v1b1\nmetadata: {name: app}\ncontainers: {main: {image: nginx}}\n"),
        ]))
        #expect(result.file("policies/admin-config.yaml") != nil)
        #expect(result.file("apps/app/score.yaml") != nil)
        #expect(result.report.manualSteps.contains { $0.message.hasPrefix("no admin-config.yaml or WorkflowPolicies document in the source") })
        #expect(result.report.validationErrors.isEmpty, "\(result.report.validationErrors)")
    }

    @Test func parallelGroupsBecomeADag() throws {
        let result = Migrator().migrate(MigrationSource(yamlFiles: [Self.file("workflows/platform/fan.yaml", """
            apiVersion: workflow.dev/v1
            kind: PlatformWorkflow
            metadata: {name: fan}
            spec:
              steps:
                - {name: a, type: policy, config: {script: "true"}, parallel: true, parallelGroup: 1}
                - {name: b, type: policy, config: {script: "true"}, parallel: true, parallelGroup: 1}
                - {name: c, type: policy, config: {script: "true"}, parallel: true, parallelGroup: 2}
                - {name: d, type: policy, config: {script: "true"}, parallel: true, parallelGroup: 2}
                - {name: e, type: policy, config: {script: "true"}}
                - {name: f, type: policy, config: {script: "true"}, dependsOn: [a]}
            """)]))
        let steps = try #require(MigrationFixtures.migrated(result, "workflows/platform/fan.yaml")?[path: "spec", "steps"]?.items)
        let dependsOn = steps.map { $0["dependsOn"]?.items?.compactMap(\.string) }
        #expect(dependsOn == [nil, [], ["a", "b"], ["a", "b"], ["c", "d"], ["a"]])
        #expect(result.report.validationErrors.isEmpty, "\(result.report.validationErrors)")
    }
}
