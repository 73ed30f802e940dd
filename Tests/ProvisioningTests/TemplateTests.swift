import Testing
@testable import Provisioning

/// The `{{ }}` template language of template provisioners.
@Suite struct TemplateTests {
    let template = Template(context: .map([("uid", .string("app-db")), ("params", .map([("port", .int(80)), ("size", .string("2Gi"))])),
                                           ("state", .map([("password", .string("kept"))]))]),
                            random: { $0 == .password ? "fresh" : "id" })

    @Test func substitutesPathsAndKeepsTypesOfWholeExpressions() throws {
        #expect(try template.render("{{ uid }}-svc") == .string("app-db-svc"))
        #expect(try template.render("{{ params.port }}") == .int(80))
        #expect(try template.render("port {{ params.port }}") == .string("port 80"))
        #expect(try template.render("{{ params }}") == .map([("port", .int(80)), ("size", .string("2Gi"))]))
    }

    @Test func alternativesTakeTheFirstSetValue() throws {
        #expect(try template.render("{{ state.password ?? random.password }}") == .string("kept"))
        #expect(try template.render("{{ state.token ?? random.password }}") == .string("fresh"))
        #expect(try template.render("{{ params.missing ?? 'fallback' }}") == .string("fallback"))
        #expect(try template.render(#"{{ params.missing ?? "x" }}"#) == .string("x"))
    }

    @Test func errorsSayWhatIsWrong() {
        #expect(throws: ProvisioningError.self) { try template.render("{{ params.missing }}") }
        #expect(throws: ProvisioningError.self) { try template.render("{{ uid") }
        #expect(throws: ProvisioningError.self) { try template.render("{{ exec('rm -rf /') }}") }
    }

    @Test func outputsCarryingAGeneratedPasswordAreSecretUnlessListedOrNot() throws {
        // The provisioner lists no secrets: what it generated with random.password is secret anyway.
        let yaml = """
            - uri: template://acme/token
              type: token
              state:
                token: "{{ state.token ?? random.password }}"
                name: "{{ state.name ?? random.id }}"
              outputs:
                token: "{{ state.token }}"
                url: "https://svc:{{ state.token }}@token.acme.internal"
                name: "{{ state.name }}"
            """
        let definition = try #require(try ProvisionerLoader().load(Array(yaml.utf8), file: "provisioners/token.yaml", folder: "/").first)
        let request = ResourceRequest(name: "api", type: "token", app: "demo", params: .map([]))
        let result = try Provisioner(definition, random: { $0 == .password ? "generated-pw-42" : "id-7" })
            .provision(request, state: .map([]))
        #expect(result.secrets == ["token", "url"], "\(result.secrets)")
        // On a later run the value comes from the state, and is still secret.
        let again = try Provisioner(definition).provision(request, state: result.state)
        #expect(again.secrets == ["token", "url"])
    }
}
