import Testing
@testable import Specs

/// `policies/admin-config.yaml`: every field, defaults, and paths that may not leave the repository.
@Suite struct AdminConfigTests {
    static let full = """
        workflowPolicies:
          workflowsRoot: ./platform/workflows
          appsRoot: ./services
          requiredPlatformWorkflows: [security-scan]
          allowedProductWorkflows:
            - ecommerce/deploy
            - {name: ecommerce/db-migrate, digest: 0123456789abcdef0123456789abcdef01234567}
          allowedStepTypes:
            global: [shell, http, vault-setup]
            product: [shell]
          stepTypes:
            vault-setup: {command: [./plugins/vault-setup, --verbose], timeout: 5m, description: Vault paths}
          secretEnv:
            platform: [SCANNER_TOKEN]
            application: [DEPLOY_KEY]
          maxStepsPerWorkflow: 50
          maxWorkflowDuration: 1h
          maxConcurrentWorkflows: 4
          maxPrunePerPass: 3
          retry: {base: 30s, cap: 30m, attempts: 4}
          delivery: {branch: env/prod}
        admin:
          defaultCostCenter: x
        """

    @Test func everyFieldDecodes() throws {
        let report = SpecTesting.validate(Self.full)
        #expect(report.kind == .adminConfig)
        #expect(report.errors.isEmpty, "\(report.summary)")
        let config = try #require(report.adminConfig)
        #expect(config.workflowsRoot == "platform/workflows")
        #expect(config.delivery == AdminConfig.Delivery(enabled: true, branch: "env/prod"))
        #expect(config.appsRoot == "services")
        #expect(config.requiredPlatformWorkflows == ["security-scan"])
        #expect(config.allowedProductWorkflows == [
            .init(product: "ecommerce", name: "deploy", digest: nil),
            .init(product: "ecommerce", name: "db-migrate", digest: "0123456789abcdef0123456789abcdef01234567"),
        ])
        #expect(config.allowedStepTypes == ["shell", "http", "vault-setup"])
        #expect(config.allows(stepType: "vault-setup", in: .platform))
        #expect(!config.allows(stepType: "vault-setup", in: .product))
        #expect(config.stepTypes["vault-setup"]?.command == ["./plugins/vault-setup", "--verbose"])
        #expect(config.stepTypes["vault-setup"]?.timeout == SpecDuration(milliseconds: 300_000))
        #expect(config.secretEnv[.platform] == ["SCANNER_TOKEN"])
        #expect(config.maxStepsPerWorkflow == 50)
        #expect(config.maxWorkflowDuration == SpecDuration(milliseconds: 3_600_000))
        #expect(config.maxConcurrentWorkflows == 4)
        #expect(config.maxPrunePerPass == 3)
        #expect(config.retry == .init(base: SpecDuration(milliseconds: 30_000), cap: SpecDuration(milliseconds: 1_800_000), attempts: 4))
        #expect(report.warnings.contains { $0.field == "admin" })
    }

    @Test func defaultsApplyToAnEmptyPolicy() {
        let report = SpecTesting.validate("workflowPolicies: {}\n")
        #expect(report.errors.isEmpty)
        #expect(report.adminConfig == .default)
        #expect(report.adminConfig?.maxPrunePerPass == 5)
        #expect(report.adminConfig?.maxStepsPerWorkflow == 1000)
        #expect(report.adminConfig?.delivery == AdminConfig.Delivery(enabled: true, branch: "env/main"))
    }

    static func policy(_ body: String) -> String { "workflowPolicies:\n" + body }

    static let negativeCases: [(String, String, String)] = [
        ("workflowPolicies: null\n", "workflowPolicies", "must be a map"),
        (policy("  workflowsRoot: ../elsewhere\n"), "workflowPolicies.workflowsRoot", "leaves the repository"),
        (policy("  appsRoot: /srv/apps\n"), "workflowPolicies.appsRoot", "absolute"),
        (policy("  appsRoot: ./apps/../..\n"), "workflowPolicies.appsRoot", "leaves"),
        (policy("  appsRoot: .\n"), "workflowPolicies.appsRoot", "repository root"),
        (policy("  requiredPlatformWorkflows: security-scan\n"), "workflowPolicies.requiredPlatformWorkflows", "must be a list"),
        (policy("  requiredPlatformWorkflows: [Security]\n"), "workflowPolicies.requiredPlatformWorkflows[0]", "not a workflow name"),
        (policy("  allowedProductWorkflows: [deploy]\n"), "workflowPolicies.allowedProductWorkflows[0]", "product/workflow"),
        (policy("  allowedProductWorkflows: [../x/deploy]\n"), "workflowPolicies.allowedProductWorkflows[0]", "product/workflow"),
        (policy("  allowedProductWorkflows: [{name: a/b, digest: xyz}]\n"), "workflowPolicies.allowedProductWorkflows[0].digest", "blob id"),
        (policy("  allowedProductWorkflows: [{nam: a/b}]\n"), "workflowPolicies.allowedProductWorkflows[0].nam", "Did you mean 'name'?"),
        (policy("  allowedStepTypes: {globl: [shell]}\n"), "workflowPolicies.allowedStepTypes.globl", "Did you mean 'global'?"),
        (policy("  stepTypes: {x1: {timeout: 5m}}\n"), "workflowPolicies.stepTypes.x1", "missing required field 'command'"),
        (policy("  stepTypes: {x1: {command: [../../bin/evil]}}\n"), "workflowPolicies.stepTypes.x1.command", "leaves"),
        (policy("  stepTypes: {x1: {command: [/usr/bin/evil]}}\n"), "workflowPolicies.stepTypes.x1.command", "absolute"),
        (policy("  stepTypes: {shell: {command: [./x]}}\n"), "workflowPolicies.stepTypes.shell", "built-in"),
        (policy("  secretEnv: {platfrom: [A]}\n"), "workflowPolicies.secretEnv.platfrom", "Did you mean 'platform'?"),
        (policy("  secretEnv: {platform: [\"A-B\"]}\n"), "workflowPolicies.secretEnv.platform[0]", "environment variable"),
        (policy("  maxStepsPerWorkflow: 0\n"), "workflowPolicies.maxStepsPerWorkflow", "between"),
        (policy("  maxStepsPerWorkflow: \"10\"\n"), "workflowPolicies.maxStepsPerWorkflow", "must be an integer"),
        (policy("  maxWorkflowDuration: 2 hours\n"), "workflowPolicies.maxWorkflowDuration", "not a duration"),
        (policy("  maxConcurrentWorkflows: null\n"), "workflowPolicies.maxConcurrentWorkflows", "not null"),
        (policy("  maxPrunePerPass: -1\n"), "workflowPolicies.maxPrunePerPass", "between"),
        (policy("  retry: {base: 1h, cap: 1m}\n"), "workflowPolicies.retry", "shorter than base"),
        (policy("  retry: {attempts: 0}\n"), "workflowPolicies.retry.attempts", "between"),
        (policy("  maxStepPerWorkflow: 3\n"), "workflowPolicies.maxStepPerWorkflow", "Did you mean 'maxStepsPerWorkflow'?"),
        (policy("  delivery: {branch: ../main}\n"), "workflowPolicies.delivery.branch", "not a valid branch name"),
        (policy("  delivery: {branch: refs/heads/env}\n"), "workflowPolicies.delivery.branch", "write the branch name only"),
        (policy("  delivery: {branch: \"env main\"}\n"), "workflowPolicies.delivery.branch", "not a valid branch name"),
        (policy("  delivery: {enabled: yes-please}\n"), "workflowPolicies.delivery.enabled", "must be true or false"),
        (policy("  delivery: {brnch: env/x}\n"), "workflowPolicies.delivery.brnch", "Did you mean 'branch'?"),
        (policy("  allowedProductWorkflows: [{name: a/b, digest: \"sha256:xyz\"}]\n"),
         "workflowPolicies.allowedProductWorkflows[0].digest", "'sha256:' followed by 64 lowercase hex digits"),
        (policy("  allowedProductWorkflows: [{name: a/b, digest: \"sha1:\(String(repeating: "a", count: 40))\"}]\n"),
         "workflowPolicies.allowedProductWorkflows[0].digest", "not valid"),
        (policy("  products: [ecommerce]\n"), "workflowPolicies.products", "must be a map"),
        (policy("  products: {ecommerce: null}\n"), "workflowPolicies.products.ecommerce", "must be a map"),
        (policy("  products: {Ecommerce: {apps: [shop]}}\n"), "workflowPolicies.products.Ecommerce", "not a product name"),
        (policy("  products: {ecommerce: {}}\n"), "workflowPolicies.products.ecommerce", "missing required field 'apps'"),
        (policy("  products: {ecommerce: {app: [shop]}}\n"), "workflowPolicies.products.ecommerce.app", "Did you mean 'apps'?"),
        (policy("  products: {ecommerce: {apps: shop}}\n"), "workflowPolicies.products.ecommerce.apps", "must be a list"),
        (policy("  products: {ecommerce: {apps: [12]}}\n"), "workflowPolicies.products.ecommerce.apps[0]", "must be a string"),
        (policy("  products: {ecommerce: {apps: [Shop]}}\n"), "workflowPolicies.products.ecommerce.apps[0]", "not an app name or pattern"),
        (policy("  products: {ecommerce: {apps: [\"shop/x\"]}}\n"), "workflowPolicies.products.ecommerce.apps[0]", "not an app name"),
        (policy("  products: {ecommerce: {apps: [shop, \"\"]}}\n"), "workflowPolicies.products.ecommerce.apps[1]", "not an app name"),
        (policy("  products: {ecommerce: {apps: [\"cart-?\"]}}\n"), "workflowPolicies.products.ecommerce.apps[0]", "with '*'"),
    ]

    @Test func digestsOfBothFormsAndProductMembershipDecode() throws {
        let pin = "sha256:" + String(repeating: "0123456789abcdef", count: 4)
        let report = SpecTesting.validate(Self.policy("""
              allowedProductWorkflows:
                - {name: ecommerce/deploy, digest: \(pin)}
                - name: ecommerce/db-migrate
                  digest: \(pin)
                - {name: ecommerce/legacy, digest: 0123456789abcdef0123456789abcdef01234567}
              products:
                ecommerce: {apps: [shop, "cart-*"]}
                search:
                  apps: []

            """))
        #expect(report.errors.isEmpty, "\(report.summary)")
        let config = try #require(report.adminConfig)
        #expect(config.allowedProductWorkflows.map(\.digest) == [pin, pin, "0123456789abcdef0123456789abcdef01234567"])
        #expect(config.products == ["ecommerce": .init(apps: ["shop", "cart-*"]), "search": .init(apps: [])])
        #expect(config.admits(app: "shop", toProduct: "ecommerce"))
        #expect(config.admits(app: "cart-eu", toProduct: "ecommerce"))
        #expect(!config.admits(app: "rogue", toProduct: "ecommerce"))
        #expect(!config.admits(app: "shop", toProduct: "search"), "an empty list admits nobody")
        #expect(config.admits(app: "rogue", toProduct: "payments"), "a product not declared keeps the open rule")
    }

    @Test func aBadDigestOrMembershipNamesItsFileLineAndColumn() {
        let report = SpecTesting.validate(Self.policy("""
              allowedProductWorkflows:
                - {name: ecommerce/deploy, digest: "sha256:0123"}
              products:
                ecommerce: {apps: [shop, Cart]}
                payments: shop

            """), path: "policies/admin-config.yaml")
        let lines = report.errors.map(\.description)
        #expect(lines.contains { $0.hasPrefix("policies/admin-config.yaml:3:40: error: workflowPolicies.allowedProductWorkflows[0].digest: 'sha256:0123' is not valid") },
                "\(lines)")
        #expect(lines.contains { $0.hasPrefix("policies/admin-config.yaml:5:30: error: workflowPolicies.products.ecommerce.apps[1]: 'Cart'") },
                "\(lines)")
        #expect(lines.contains { $0.hasPrefix("policies/admin-config.yaml:6:15: error: workflowPolicies.products.payments: must be a map") },
                "\(lines)")
        #expect(report.adminConfig == nil)
    }

    @Test(arguments: [
        ("shop", "shop", true), ("shop", "shops", false), ("cart-*", "cart-eu", true), ("cart-*", "cart-", true),
        ("cart-*", "cart", false), ("*", "anything", true), ("*-eu", "cart-eu", true), ("*-eu", "cart-us", false),
        ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false), ("**", "x", true), ("*a*a*a*a*a*a*a*a*a*a*b", String(repeating: "a", count: 60), false),
    ])
    func membershipPatterns(pattern: String, app: String, member: Bool) {
        #expect(AdminConfig.ProductMembership(apps: [pattern]).admits(app) == member)
    }

    @Test(arguments: negativeCases)
    func adminConfigRuleViolationsAreErrors(yaml: String, field: String, message: String) {
        let report = SpecTesting.validate(yaml)
        #expect(report.kind == .adminConfig)
        #expect(report.hasError(field: field, containing: message), "\(report.summary)")
        #expect(report.adminConfig == nil)
    }
}
