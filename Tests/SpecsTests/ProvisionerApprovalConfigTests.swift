import Testing
@testable import Specs

/// `allowedProvisioners` and `allowCmdProvisioners` in the admin config: what decodes, and each mistake
/// an error at its file:line:column.
@Suite struct ProvisionerApprovalConfigTests {
    @Test func bothFormsOfAnEntryAndTheSwitchDecode() throws {
        let report = SpecTesting.validate("""
            workflowPolicies:
              allowedProvisioners:
                - provisioners/queue.yaml
                - {path: provisioners/db.yml, digest: 0123456789abcdef0123456789abcdef01234567}
              allowCmdProvisioners: true
            """, path: "policies/admin-config.yaml")
        #expect(report.errors.isEmpty, "\(report.summary)")
        let config = try #require(report.adminConfig)
        #expect(config.allowedProvisioners == [
            .init(path: "provisioners/queue.yaml"),
            .init(path: "provisioners/db.yml", digest: "0123456789abcdef0123456789abcdef01234567"),
        ])
        #expect(config.allowCmdProvisioners)
    }

    @Test func nothingIsApprovedAndCmdIsOffByDefault() throws {
        let config = try #require(SpecTesting.validate("workflowPolicies: {}\n", path: "policies/admin-config.yaml").adminConfig)
        #expect(config.allowedProvisioners.isEmpty)
        #expect(!config.allowCmdProvisioners)
    }

    @Test(arguments: [
        ("[apps/shop/score.yaml]", "policies/admin-config.yaml:2:25: error: workflowPolicies.allowedProvisioners[0]: "
            + "'apps/shop/score.yaml' is not a provisioners file"),
        ("[provisioners/sub/x.yaml]", "policies/admin-config.yaml:2:25: error: workflowPolicies.allowedProvisioners[0]: "
            + "'provisioners/sub/x.yaml' is not a provisioners file"),
        ("[{path: provisioners/x.yaml, digest: sha256:ab}]", "policies/admin-config.yaml:2:61: error: "
            + "workflowPolicies.allowedProvisioners[0].digest: 'sha256:ab' is not valid: a provisioners file's digest is its git blob id"),
        ("[{digest: 0123456789abcdef0123456789abcdef01234567}]", "policies/admin-config.yaml:2:25: error: workflowPolicies.allowedProvisioners[0]: missing required field 'path'"),
        ("[provisioners/x.yaml, provisioners/x.yaml]", "policies/admin-config.yaml:2:46: error: "
            + "workflowPolicies.allowedProvisioners[1]: 'provisioners/x.yaml' is listed twice"),
    ])
    func aMistakeInTheListIsAnErrorAtItsPosition(list: String, expected: String) {
        let report = SpecTesting.validate("workflowPolicies:\n  allowedProvisioners: \(list)\n", path: "policies/admin-config.yaml")
        #expect(report.adminConfig == nil)
        #expect(report.errors.contains { $0.description.hasPrefix(expected) }, "\(report.errors.map(\.description))")
    }

    @Test func theSwitchIsABoolean() {
        let report = SpecTesting.validate("workflowPolicies:\n  allowCmdProvisioners: maybe\n", path: "policies/admin-config.yaml")
        #expect(report.adminConfig == nil)
        #expect(report.errors.first?.description.hasPrefix(
            "policies/admin-config.yaml:2:25: error: workflowPolicies.allowCmdProvisioners:") == true, "\(report.errors)")
    }
}
