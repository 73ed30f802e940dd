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
}
