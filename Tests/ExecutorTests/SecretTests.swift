import Foundation
import Specs
import Testing
@testable import Executor

@Suite struct SecretTests {
    @Test func secretsNeverAppearInAnyCapturedByte() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("secrets/db-password", "file-secret-9876\n")
        let admin = try Sandbox.admin("secretEnv:\n  application: [API_KEY]")
        let host = ["API_KEY": "env-secret-4242", "PATH": "/usr/bin:/bin"]
        let workflow = try Sandbox.workflow("""
            - name: leak
              env:
                INLINE: {value: inline-secret-1234, secret: true}
                KEY: {fromEnv: API_KEY}
                PASSWORD: {fromFile: secrets/db-password, secret: true}
              run: |
                echo "inline=$INLINE key=$KEY password=$PASSWORD"
                echo "$INLINE" >&2
                echo "token=$KEY" >> $INNOMINATUS_OUTPUT
                echo "mixed=user:$PASSWORD@host" >> $INNOMINATUS_OUTPUT
                exit 1
            """)
        let outcome = await sandbox.executor(admin: admin, environment: host).run(workflow, app: sandbox.app)
        let leak = try #require(outcome.step("leak"))
        #expect(leak.result == .failed)
        #expect(leak.log.contains("inline=*** key=*** password=***"))
        let everything = String(decoding: try JSONEncoder().encode(outcome), as: UTF8.self)
            + sandbox.read("logs/application-wf/leak.log")
        for secret in ["inline-secret-1234", "env-secret-4242", "file-secret-9876"] {
            #expect(!everything.contains(secret), "\(secret) leaked")
        }
    }

    @Test func secretOutputsAreMaskedInResults() async throws {
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("""
            - {name: s, env: {S: {value: "v3ry-secret", secret: true}}, run: "echo out=$S >> $INNOMINATUS_OUTPUT; echo $S"}
            - {name: t, run: "test \\"${steps.s.outputs.out}\\" = v3ry-secret && echo ${steps.s.outputs.out}"}
            """)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .succeeded, "later steps still receive the real value")
        #expect(outcome.step("s")?.outputs["out"] == "***")
        #expect(outcome.step("t")?.log == ["***"])
    }

    @Test func maskingReplacesLongestSecretsFirst() {
        let mask = SecretMask(["abc", "abcdef", "x"])
        #expect(mask.mask("abcdef abc x") == "*** *** x")
    }
}
