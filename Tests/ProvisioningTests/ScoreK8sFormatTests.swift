import Foundation
import Specs
import Testing
import TestSupport
@testable import Provisioning

/// Provisioners files written in score-k8s's format (Go templates in `init`, `state`, `shared`, `outputs`,
/// `manifests`) load as they are and render an app through the real renderer; their secrets stay secret.
@Suite struct ScoreK8sFormatTests {
    /// A file of our own in score-k8s's shape: a database, a topic on a shared broker, and a route.
    static let provisioners = #"""
        # Provisioners in score-k8s's format, written for these tests.
        - uri: template://acme/postgres
          type: postgres
          description: A dedicated PostgreSQL per resource.
          init: |
            randomUser: user-{{ randAlpha 6 | lower }}
            randomPassword: {{ randAlphaNum 20 | quote }}
          state: |
            service: pg-{{ .SourceWorkload }}-{{ substr 0 8 .Guid }}
            username: {{ dig "username" .Init.randomUser .State | quote }}
            password: {{ dig "password" .Init.randomPassword .State | quote }}
            database: {{ default "app" .Params.database | quote }}
          outputs: |
            host: {{ .State.service }}
            port: 5432
            name: {{ .State.database }}
            database: {{ .State.database }}
            username: {{ .State.username }}
            password: {{ encodeSecretRef .State.service "password" }}
            uri: "postgresql://{{ .State.username }}:{{ encodeSecretRef .State.service "password" }}@{{ .State.service }}:5432/{{ .State.database }}"
            uid: {{ .Uid | quote }}
          expected_outputs: [host, port, name, database, username, password, uri]
          supported_params: [database]
          manifests: |
            - apiVersion: v1
              kind: Secret
              metadata:
                name: {{ .State.service }}
                {{- if ne .Namespace "" }}
                namespace: {{ .Namespace }}
                {{- end }}
                annotations:
                  k8s.score.dev/resource-uid: {{ .Uid | quote }}
                  k8s.score.dev/resource-guid: {{ .Guid }}
              data:
                password: {{ .State.password | b64enc }}
            - apiVersion: v1
              kind: Service
              metadata:
                name: {{ .State.service }}
              spec:
                selector:
                  app.kubernetes.io/instance: {{ .State.service }}
                ports:
                - port: 5432
                  targetPort: 5432
            - apiVersion: apps/v1
              kind: StatefulSet
              metadata:
                name: {{ .State.service }}
              spec:
                replicas: 1
                serviceName: {{ .State.service }}
                selector:
                  matchLabels:
                    app.kubernetes.io/instance: {{ .State.service }}
                template:
                  metadata:
                    labels:
                      app.kubernetes.io/instance: {{ .State.service }}
                  spec:
                    containers:
                    - name: db
                      image: postgres:17-alpine
                      env:
                      - name: POSTGRES_USER
                        value: {{ .State.username | quote }}
                      - name: POSTGRES_PASSWORD
                        valueFrom:
                          secretKeyRef:
                            name: {{ .State.service }}
                            key: password
        - uri: template://acme/topic
          type: acme-topic
          init: |
            sk: acme-broker
          state: |
            topic: {{ dig "topic" (printf "topic-%s" (randAlphaNum 6 | lower)) .State | quote }}
          shared: |
            {{ .Init.sk }}:
              name: {{ dig .Init.sk "name" (randAlpha 5 | lower | printf "broker-%s") .Shared | quote }}
          outputs: |
            {{- $broker := dig .Init.sk (dict) .Shared }}
            host: {{ $broker.name }}
            port: 9092
            name: {{ .State.topic }}
            partitions: {{ default 3 .Params.partitions }}
          expected_outputs: [host, port, name, partitions]
        - uri: template://acme/route
          type: route
          init: |
            {{ if not (regexMatch "^/" .Params.path) }}{{ fail "params.path must start with /" }}{{ end }}
            {{ $ports := (index .WorkloadServices .SourceWorkload).Ports }}
            {{ if not (index $ports (print .Params.port)) }}{{ fail (cat "params.port is not a service port:" .Params.port) }}{{ end }}
          outputs: |
            host: {{ .Params.host }}
          manifests: |
            {{- $service := index .WorkloadServices .SourceWorkload }}
            {{- $port := index $service.Ports (print .Params.port) }}
            - apiVersion: gateway.networking.k8s.io/v1
              kind: HTTPRoute
              metadata:
                name: route-{{ .SourceWorkload }}-{{ substr 0 8 .Guid }}
              spec:
                parentRefs: [{name: default}]
                hostnames: [{{ .Params.host | quote }}]
                rules:
                - matches: [{path: {type: PathPrefix, value: {{ .Params.path | quote }}}}]
                  backendRefs: [{name: {{ $service.ServiceName }}, port: {{ $port.Port }}}]
        """#

    static func score(_ app: String) -> String {
        """
        apiVersion: score.dev/v1b1
        metadata: {name: \(app)}
        service:
          ports:
            web: {port: 8080, targetPort: 3000}
        containers:
          main:
            image: nginx:1.27
            variables:
              DB_HOST: ${resources.db.host}
              DB_PASSWORD: ${resources.db.password}
              DB_URI: ${resources.db.uri}
              TOPIC: ${resources.events.name}@${resources.events.host}
        resources:
          db: {type: postgres, params: {database: orders}}
          events: {type: acme-topic}
          web: {type: route, params: {host: \(app).example.com, path: /, port: web}}
        """
    }

    static func definitions(_ text: String = provisioners) throws -> [ProvisionerDefinition] {
        try ProvisionerLoader().load(Array(text.utf8), file: "provisioners/acme.yaml", folder: "/")
    }

    static func render(_ app: String, store: any ResourceStateStore, in folder: TemporaryDirectory,
                       provisioners: String = provisioners) throws -> RenderedApp {
        let file = folder.appending("\(app).yaml")
        try score(app).write(toFile: file, atomically: true, encoding: .utf8)
        let registry = ProvisionerRegistry(try definitions(provisioners) + DefaultProvisioners.definitions)
        return try AppRenderer(registry: registry, stateStore: store, commit: "0123456789abcdef").render(scoreFile: file, root: folder.path)
    }

    @Test(arguments: [
        ("- uri: template://a\n  type: t\n  outputs: |\n    host: x\n", true),
        ("- {uri: template://a, type: t, init: 'a: b'}", true),
        ("- {uri: template://a, type: t, expected_outputs: [host]}", true),
        ("- {uri: template://a, type: t, outputs: {host: '{{ uid }}'}}", false),
        ("- {uri: template://a, type: t, outputs: '{{ params }}'}", false),
        ("- {uri: template://a, type: t, outputs: '{{ .Params }}'}", true),
    ])
    func theFormatIsToldByItsFields(text: String, isGoTemplate: Bool) throws {
        let definition = try #require(try Self.definitions(text).first)
        if case .goTemplate = definition.kind { #expect(isGoTemplate) } else { #expect(!isGoTemplate) }
    }

    @Test func aFileInScoreK8sFormatRendersAnAppAndKeepsItsSecretsSecret() throws {
        let folder = try TemporaryDirectory("k8s-format")
        let rendered = try Self.render("shop", store: MemoryStateStore(), in: folder)
        let db = try #require(rendered.outputs["db"])
        #expect(Set(db.keys) == ["host", "port", "name", "database", "username", "password", "uri", "uid"])
        #expect(db["database"] == "orders" && db["port"] == "5432" && db["uid"] == "postgres.default#shop.db")
        #expect(db["host"]?.hasPrefix("pg-shop-") == true)
        let password = try #require(db["password"])
        #expect(password.count == 20 && !password.contains("🔐"), "the reference is resolved to the Secret's value")
        #expect(db["uri"] == "postgresql://\(db["username"]!):\(password)@\(db["host"]!):5432/orders")
        #expect(rendered.secretOutputs["db"] == ["password", "uri"])
        // Nothing a note shows, and no object but a Secret, holds the password.
        #expect(!"\(rendered.publicOutputs)".contains(password))
        #expect(rendered.publicOutputs["db"]?["username"] != nil)
        for object in rendered.objects where object["kind"]?.string != "Secret" {
            #expect(!YAMLEmitter.emit(object).contains(password), "\(object["kind"]?.string ?? "")")
        }
        let deployment = try #require(rendered.objects.first { $0["kind"]?.string == "Deployment" })
        let env = deployment["spec"]?["template"]?["spec"]?["containers"]?.items?.first?["env"]?.items ?? []
        let reference = env.first { $0["name"]?.string == "DB_PASSWORD" }?["valueFrom"]?["secretKeyRef"]
        #expect(reference?["name"]?.string == "shop-secrets")
        #expect(env.first { $0["name"]?.string == "TOPIC" }?["value"]?.string?.contains("@broker-") == true)
        // The route turned the port's name into the Service's port number.
        let route = try #require(rendered.objects.first { $0["kind"]?.string == "HTTPRoute" })
        let backend = route["spec"]?["rules"]?.items?.first?["backendRefs"]?.items?.first
        #expect(backend?["port"] == .int(8080) && backend?["name"]?.string == "shop")
        // No namespace is set: .Namespace is empty, so the `if` left it out.
        let secret = try #require(rendered.objects.first { $0["kind"]?.string == "Secret" && $0["metadata"]?["name"]?.string == db["host"] })
        #expect(secret["metadata"]?["namespace"] == nil)
        #expect(secret["metadata"]?["annotations"]?["k8s.score.dev/resource-guid"]?.string?.count == 36)
    }

    @Test func stateAndSharedStatePersistAcrossPassesAndApps() throws {
        let folder = try TemporaryDirectory("k8s-state")
        let store = MemoryStateStore()
        let first = try Self.render("shop", store: store, in: folder)
        let again = try Self.render("shop", store: store, in: folder)
        #expect(first.outputs["db"]?["password"] == again.outputs["db"]?["password"], "kept in .State")
        #expect(first.outputs["events"]?["name"] == again.outputs["events"]?["name"])
        #expect(first.outputs["db"]?["host"] == again.outputs["db"]?["host"], "the Guid names it for good")
        // Another app's topic is its own, on the same broker (.Shared of the provisioner).
        let other = try Self.render("ledger", store: store, in: folder)
        #expect(other.outputs["events"]?["host"] == first.outputs["events"]?["host"])
        #expect(other.outputs["events"]?["name"] != first.outputs["events"]?["name"])
        #expect(other.outputs["db"]?["password"] != first.outputs["db"]?["password"])
        let states = try store.load()
        let shared = try #require(states[ResourceRequest.sharedStateKey(provisioner: "template://acme/topic")])
        #expect(shared["acme-broker"]?["name"]?.string == first.outputs["events"]?["host"])
        #expect(ResourceRequest.sharedStateKey(provisioner: "template://acme/topic").hasPrefix("shared/"), "kept in shared.json")
        // A fresh store (a lost workdir) names the same objects: the Guid does not come from the state.
        let fresh = try Self.render("shop", store: MemoryStateStore(), in: folder)
        #expect(fresh.outputs["db"]?["host"] == first.outputs["db"]?["host"])
        #expect(fresh.outputs["db"]?["password"] != first.outputs["db"]?["password"])
    }

    @Test func renderedManifestsAreValidForKubernetes131() throws {
        let tool = try ScoreParityTests.kubernetesValidate()
        let folder = try TemporaryDirectory("k8s-validate")
        let rendered = try Self.render("shop", store: MemoryStateStore(), in: folder)
        var files: [String] = []
        for (name, content) in rendered.files {
            let path = folder.appending("out-" + name)
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        #expect(files.count >= 6)
        let result = try Shell.execute([tool, "--strict", "-k", "1.31.0"] + files)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let unknown = (result.stdout + result.stderr).split(separator: "\n").filter { $0.contains("Couldn't find schema") }
        #expect(unknown.allSatisfy { $0.contains("HTTPRoute") }, "\(unknown)")
    }

    @Test func problemsOfTheFileNameItsLineAndColumn() {
        func problem(_ text: String) -> String {
            do {
                _ = try Self.definitions(text)
                return "loaded"
            } catch {
                return (error as? ProvisioningError)?.message ?? "\(error)"
            }
        }
        // The unknown function is on line 5 of the file (line 2 of the block), column 11.
        #expect(problem("- uri: template://a\n  type: t\n  outputs: |\n    host: x\n    port: {{ toYaml .Params }}\n")
            .hasPrefix("provisioners/acme.yaml:5:14: the outputs template: 'toYaml' is not a function innominatus provides"))
        #expect(problem("- uri: template://a\n  type: t\n  init: |\n    a: b\n  outputs: {host: x}\n")
            .contains("provisioners/acme.yaml:5:12: in score-k8s's format"))
        #expect(problem("- uri: template://a\n  type: t\n  outputs: \"x: {{ .Uid\"\n").hasPrefix("provisioners/acme.yaml:3:16: the outputs template: '{{' is never closed"))
        #expect(problem("- uri: template://a\n  type: t\n  expected_outputs: host\n").contains("'expected_outputs' is a list of names"))
    }

    @Test func validateReportsEveryBadTemplateAtItsPosition() {
        let text = "- uri: template://a\n  type: a\n  state: |\n    x: {{ .State.x | nope }}\n"
            + "- uri: template://b\n  type: b\n  manifests: |\n    {{ range .Params }}\n"
        let report = ProvisionerLoader().check(Array(text.utf8), file: "provisioners/acme.yaml", folder: "/")
        #expect(report.diagnostics.map { "\($0.location) \($0.field)" } == ["4:22 [0].state", "8:8 [1].manifests"])
        #expect(report.diagnostics.last?.message == "the manifests template: {{range}} is never closed with {{end}}")
    }

    @Test func runTimeProblemsNameTheResourceProvisionerAndPosition() throws {
        let folder = try TemporaryDirectory("k8s-errors")
        func failure(_ provisioners: String) -> String {
            do {
                _ = try Self.render("shop", store: MemoryStateStore(), in: folder, provisioners: provisioners)
                return "rendered"
            } catch {
                return (error as? ProvisioningError)?.message ?? "\(error)"
            }
        }
        let badPort = Self.provisioners.replacingOccurrences(of: "(print .Params.port)) }}{{ fail", with: "(print .Params.nope)) }}{{ fail")
        #expect(failure(badPort).contains("resources.web: the provisioner template://acme/route (provisioners/acme.yaml:89:3) failed: "
                                          + "provisioners/acme.yaml:94:56: the init template: fail: params.port is not a service port: web"))
        let elsewhere = Self.provisioners.replacingOccurrences(of: "password: {{ encodeSecretRef .State.service \"password\" }}",
                                                               with: "password: {{ encodeSecretRef \"vault\" \"password\" }}")
        #expect(failure(elsewhere).contains("outputs.password: the secret reference names the Secret 'vault', which this provisioner's manifests do not create"))
        let notYAML = Self.provisioners.replacingOccurrences(of: "host: {{ .Params.host }}", with: "host: [{{ .Params.host }}")
        let message = failure(notYAML)
        #expect(message.contains("the outputs template wrote text that is not YAML (line "), "\(message)")
        #expect(!message.contains("example.com"), "what it wrote is not repeated (it may hold secrets)")
    }

    @Test func theListShowsExpectedOutputs() throws {
        let listing = ProvisionerListing(ProvisionerRegistry(try Self.definitions()))
        let row = try #require(listing.rows.first { $0.uri == "template://acme/postgres" })
        #expect(row.outputs == "host, port, name, database, username, password*, uri*" && row.class == "(any)")
        #expect(listing.rows.first { $0.uri == "template://acme/route" }?.outputs == "(its outputs template)")
        #expect(row.params == ["database"] && listing.json.contains("\"params\": [\"database\"]"))
    }
}
