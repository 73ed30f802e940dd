import Testing
@testable import Specs

/// The trust file (`--trust FILE`, docs/ARCHITECTURE.md §9): read with the project's YAML reader, every
/// problem reported at its file:line:column, so a reconciler given a bad one does not start.
@Suite struct TrustPolicyTests {
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIERK5rc9MOJGJ9v7HO1PpWQrqu0Ya1qxnoUh74uSwNe1 alice@example.com"

    static func decode(_ text: String) -> (policy: TrustPolicy?, diagnostics: [SpecDiagnostic]) {
        TrustPolicy.decode(Array(text.utf8), file: "/etc/innominatus/trust.yaml")
    }

    @Test func aWholeFileDecodes() throws {
        let decoded = Self.decode("""
            mode: strict
            signers:
              platform-team:
                - "\(Self.key)"
                - openpgp: keys/platform.asc
              ecommerce-team:
                - "\(Self.key)"
            rules:
              - paths: ["policies/**", "workflows/platform/**"]
                signers: [platform-team]
              - paths: ["**"]
                signers: [platform-team, ecommerce-team]

            """)
        let policy = try #require(decoded.policy, "\(decoded.diagnostics)")
        #expect(policy.mode == .strict)
        #expect(policy.signers == ["platform-team", "ecommerce-team"])
        #expect(policy.keys.map(\.source) == [.ssh(Self.key), .openpgp("keys/platform.asc"), .ssh(Self.key)])
        #expect(policy.keys[1].field == "signers.platform-team[1].openpgp")
        #expect(policy.keys[1].location == SourceLocation(line: 5, column: 16))
        #expect(policy.rules.map(\.signers) == [["platform-team"], ["platform-team", "ecommerce-team"]])
        #expect(policy.rules[0].description == "rules[0] (policies/**, workflows/platform/**: platform-team)")
    }

    @Test func anUnknownSignerIsAnErrorAtItsPosition() {
        let decoded = Self.decode("""
            mode: head
            signers:
              platform-team: ["\(Self.key)"]
            rules:
              - paths: ["**"]
                signers: [platform-team, platfrom-team]

            """)
        #expect(decoded.policy == nil)
        let messages = decoded.diagnostics.map(\.description)
        #expect(messages == ["/etc/innominatus/trust.yaml:6:30: error: rules[0].signers[1]: unknown signer 'platfrom-team'; "
                             + "a rule names signers listed under signers. Did you mean 'platform-team'?"], "\(messages)")
    }

    @Test(arguments: [
        ("[policies/**", "opens a character class '[' that is never closed"),
        ("/etc/passwd", "is absolute"),
        ("../outside/**", "leaves the repository"),
        ("", "must not be empty"),
        ("policies\\\\", "ends with a lone"),
    ])
    func aBadGlobIsAnErrorAtItsPosition(glob: String, problem: String) throws {
        let decoded = Self.decode("""
            mode: head
            signers:
              platform-team: ["\(Self.key)"]
            rules:
              - paths: ["policies/**", "\(glob)"]
                signers: [platform-team]

            """)
        #expect(decoded.policy == nil)
        let diagnostic = try #require(decoded.diagnostics.first)
        #expect(diagnostic.line == 5 && diagnostic.column == 28 && diagnostic.field == "rules[0].paths[1]", "\(diagnostic)")
        #expect(diagnostic.message.contains(problem), "\(diagnostic.message)")
    }

    @Test func keysModesAndNamesAreChecked() {
        let decoded = Self.decode("""
            mode: paranoid
            signers:
              "bad name": ["\(Self.key)"]
              nokeys: []
              typo: ["ssh-ed2551 AAAA x"]
              both: [{openpgp: a.asc, ssh: b}]
            rules:
              - paths: ["**"]
                signers: [nokeys]
            extra: 1

            """)
        #expect(decoded.policy == nil)
        let found = decoded.diagnostics.map { "\($0.line):\($0.column) \($0.field)" }
        #expect(found.contains("1:7 mode"), "\(found)")
        #expect(found.contains("3:3 signers[\"bad name\"]"), "\(found)")
        #expect(found.contains("4:11 signers.nokeys"), "\(found)")
        #expect(found.contains("5:10 signers.typo[0]"), "\(found)")
        #expect(found.contains("6:27 signers.both[0].ssh"), "\(found)")
        #expect(found.contains("10:1 extra"), "\(found)")
    }

    @Test func aStrictOrHeadModeNeedsRules() {
        let decoded = Self.decode("mode: strict\nsigners: {platform-team: [\"\(Self.key)\"]}\n")
        #expect(decoded.policy == nil)
        #expect(decoded.diagnostics.map(\.message).contains { $0.contains("needs rules") })
        #expect(Self.decode("mode: none\n").policy?.mode == TrustPolicy.Mode.none)
    }

    @Test func yamlErrorsKeepTheirPosition() {
        let decoded = Self.decode("mode: head\nsigners:\n  a: [\n")
        #expect(decoded.policy == nil)
        #expect(decoded.diagnostics.first?.file == "/etc/innominatus/trust.yaml")
        #expect((decoded.diagnostics.first?.line ?? 0) >= 3)
    }
}
