import Foundation
import TestSupport
import Testing

/// A provisioners file in score-k8s's format (Go templates) in a platform repository, reconciled by the
/// real binary: manifests delivered, `.State` and `.Shared` kept in the workdir across passes and apps, the
/// generated password nowhere in the remote, the notes or the logs.
@Suite("Application tier: score-k8s-format provisioners")
struct ScoreK8sProvisionerTests {
    static let provisioners = """
        - uri: template://acme/postgres
          type: postgres
          init: |
            randomPassword: {{ randAlphaNum 24 | quote }}
          state: |
            service: pg-{{ .SourceWorkload }}-{{ substr 0 8 .Guid }}
            password: {{ dig "password" .Init.randomPassword .State | quote }}
          outputs: |
            host: {{ .State.service }}
            port: 5432
            password: {{ encodeSecretRef .State.service "password" }}
          manifests: |
            - apiVersion: v1
              kind: Secret
              metadata: {name: {{ .State.service }}}
              data:
                password: {{ .State.password | b64enc }}
            - apiVersion: v1
              kind: Service
              metadata: {name: {{ .State.service }}}
              spec:
                selector: {app.kubernetes.io/instance: {{ .State.service }}}
                ports: [{port: 5432, targetPort: 5432}]
        - uri: template://acme/topic
          type: kafka-topic
          state: |
            topic: {{ dig "topic" (printf "topic-%s" (randAlpha 6 | lower)) .State | quote }}
          shared: |
            broker: {{ dig "broker" (printf "kafka-%s" (randAlpha 5 | lower)) .Shared | quote }}
          outputs: |
            host: {{ .Shared.broker }}
            name: {{ .State.topic }}

        """

    static func score(_ app: String) -> String {
        """
        apiVersion: score.dev/v1b1
        metadata: {name: \(app)}
        containers:
          main:
            image: nginx:1.27
            variables:
              DB_HOST: ${resources.db.host}
              DB_PASSWORD: ${resources.db.password}
              TOPIC: ${resources.events.name}@${resources.events.host}
        resources:
          db: {type: postgres}
          events: {type: kafka-topic}

        """
    }

    @Test func reconciledDeliveredAndItsSecretKeptOutOfTheRemote() throws {
        let world = ApplicationTierTests.World()
        let first = try world.git.commit([
            "apps/shop/score.yaml": Self.score("shop"),
            "apps/ledger/score.yaml": Self.score("ledger"),
            "provisioners/acme.yaml": Self.provisioners,
            "policies/admin-config.yaml": "workflowPolicies:\n  allowedProvisioners: [provisioners/acme.yaml]\n",
        ], message: "apps on score-k8s-format provisioners")
        try world.git.push()
        let result = try world.reconcile()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let files = try world.envFiles()
        #expect(files.contains("shop/deployment-shop.yaml") && files.contains { $0.hasPrefix("shop/service-pg-shop-") })
        #expect(!files.contains { $0.contains("secret") }, "Secrets stay in the workdir")
        let deployment = try world.env("show", "env/main:shop/deployment-shop.yaml")
        #expect(deployment.contains("secretKeyRef") && deployment.contains("name: shop-secrets"))
        let note = try world.note(first)
        #expect(note.contains("host: pg-shop-"), "a non-secret output, in the note")

        // .Shared: both apps' topics are on one broker, kept in shared.json under the provisioner's uri.
        let shared = try String(contentsOfFile: world.workdir + "/resources/shared.json", encoding: .utf8)
        let broker = try #require(shared.firstMatch(of: /"broker": "(kafka-[a-z]+)"/)).1
        #expect(shared.contains("\"shared/ template://acme/topic\""))
        #expect(deployment.contains("@\(broker)"))
        #expect(try world.env("show", "env/main:ledger/deployment-ledger.yaml").contains("@\(broker)"))

        // .State: the next pass renders the same bytes, so nothing is delivered.
        let password = try world.password()
        #expect(password.count == 24)
        let delivered = try world.env("rev-parse", "env/main")
        let forced = try Shell.execute([world.binary, "reconcile", "--repo", world.git.remote, "--workdir", world.workdir,
                                        "--force", "shop/application"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try world.env("rev-parse", "env/main") == delivered)
        #expect(try world.password() == password)
        #expect(try String(contentsOfFile: world.workdir + "/resources/shared.json", encoding: .utf8).contains("\"\(broker)\""))

        // The password is in the workdir's Secret, and nowhere in the remote or the logs.
        let secrets = try FileManager.default.contentsOfDirectory(atPath: world.workdir + "/secrets/shop")
        let texts = try secrets.map { try String(contentsOfFile: world.workdir + "/secrets/shop/" + $0, encoding: .utf8) }.joined()
        #expect(texts.contains(password) || texts.contains(Data(password.utf8).base64EncodedString()))
        let objects = try Shell.run(["sh", "-c", "git --git-dir '\(world.git.remote)' cat-file --batch-all-objects --batch"])
        #expect(!objects.contains(password))
        #expect(!objects.contains(Data(password.utf8).base64EncodedString()))
        let logs = try Shell.run(["sh", "-c", "cat $(find '\(world.workdir)/logs' -type f) /dev/null"])
        #expect(!logs.contains(password))
        #expect(!world.printed.contains(password))
    }
}
