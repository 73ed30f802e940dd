/// The database and broker defaults as provisioner YAML (the same format a repository uses): each one a
/// single-replica StatefulSet, a Service and a Secret holding generated credentials, from one template.
enum DefaultProvisionerTexts {
    /// What varies between the stores.
    struct Store {
        enum Value { case secret(String), literal(String) }

        var type: String
        var user: String
        var port: Int
        var image: String
        /// `scheme://user:password@host:port/PATH` as a secret `uri` output, when the store has one.
        var uri: (scheme: String, path: String)?
        /// The container's environment: names and values (`secret` takes a key of the Secret).
        var env: [(name: String, value: Value)]
        /// Outputs beyond host, port, username and password, as score-k8s names them (templates); a
        /// store without `database` has no `name`/`database` outputs.
        var extraOutputs: [(key: String, template: String, secret: Bool)] = []
        var database = true
        /// State keys beyond username, password and database.
        var extraState: [(key: String, template: String)] = []
        /// The database named when params do not name one (one the server's image creates).
        var defaultDatabase = "app"
    }

    private static let stores: [Store] = [
        Store(type: "postgres", user: "app", port: 5432, image: "postgres:16-alpine",
              uri: ("postgresql", "{{ state.database }}"),
              env: [("POSTGRES_USER", .secret("username")), ("POSTGRES_PASSWORD", .secret("password")),
                    ("POSTGRES_DB", .literal("\"{{ state.database }}\""))]),
        Store(type: "postgres-instance", user: "postgres", port: 5432, image: "postgres:16-alpine", uri: nil,
              env: [("POSTGRES_USER", .secret("username")), ("POSTGRES_PASSWORD", .secret("password"))]),
        Store(type: "mysql", user: "app", port: 3306, image: "mysql:8.4", uri: nil,
              env: [("MYSQL_USER", .secret("username")), ("MYSQL_PASSWORD", .secret("password")),
                    ("MYSQL_DATABASE", .literal("\"{{ state.database }}\"")), ("MYSQL_RANDOM_ROOT_PASSWORD", .literal("\"yes\""))]),
        Store(type: "mongodb", user: "app", port: 27017, image: "mongo:7", uri: ("mongodb", ""),
              env: [("MONGO_INITDB_ROOT_USERNAME", .secret("username")), ("MONGO_INITDB_ROOT_PASSWORD", .secret("password"))],
              extraOutputs: [("connection", "mongodb://{{ state.username }}:{{ state.password }}@{{ uid }}:27017/", true)]),
        Store(type: "redis", user: "default", port: 6379, image: "redis:7-alpine", uri: nil,
              env: [("REDIS_PASSWORD", .secret("password"))]),
        Store(type: "amqp", user: "app", port: 5672, image: "rabbitmq:3-management-alpine", uri: ("amqp", "{{ state.vhost }}"),
              env: [("RABBITMQ_DEFAULT_USER", .secret("username")), ("RABBITMQ_DEFAULT_PASS", .secret("password")),
                    ("RABBITMQ_DEFAULT_VHOST", .literal("\"{{ state.vhost }}\""))],
              extraOutputs: [("vhost", "{{ state.vhost }}", false)], database: false,
              extraState: [("vhost", "{{ state.vhost ?? params.vhost ?? '/' }}")]),
        Store(type: "mssql", user: "sa", port: 1433, image: "mcr.microsoft.com/mssql/server:2022-latest", uri: nil,
              env: [("MSSQL_SA_PASSWORD", .secret("password")), ("ACCEPT_EULA", .literal("\"Y\""))],
              extraOutputs: [("server", "{{ uid }}", false),
                             ("connection", "Server=tcp:{{ uid }},1433;Initial Catalog={{ state.database }};User ID={{ state.username }};Password={{ state.password }}", true)],
              defaultDatabase: "master"),
        Store(type: "elasticsearch", user: "elastic", port: 9200, image: "docker.elastic.co/elasticsearch/elasticsearch:8.14.0",
              uri: nil, env: [("ELASTIC_PASSWORD", .secret("password")), ("discovery.type", .literal("single-node"))]),
    ]

    static let databases = stores.map(text).joined(separator: "\n")

    private static func text(_ store: Store) -> String {
        let uri = store.uri.map {
            "\n    uri: \"\($0.scheme)://{{ state.username }}:{{ state.password }}@{{ uid }}:\(store.port)/\($0.path)\""
        } ?? ""
        let database = store.database ? "\n    name: \"{{ state.database }}\"\n    database: \"{{ state.database }}\"" : ""
        let extra = store.extraOutputs.map { "\n    \($0.key): \"\($0.template)\"" }.joined()
        let extraState = store.extraState.map { "\n    \($0.key): \"\($0.template)\"" }.joined()
        let secrets = ["password"] + (store.uri == nil ? [] : ["uri"]) + store.extraOutputs.filter(\.secret).map(\.key)
        let env = store.env.map { name, value in
            switch value {
            case .secret(let key):
                return "\n                    - name: \(name)\n                      valueFrom: {secretKeyRef: {name: \"{{ uid }}\", key: \(key)}}"
            case .literal(let text):
                return "\n                    - name: \(name)\n                      value: \(text)"
            }
        }.joined()
        return """
- uri: template://default/\(store.type)
  type: \(store.type)
  description: A single-replica \(store.type) StatefulSet with generated credentials.
  state:
    username: "{{ state.username ?? '\(store.user)' }}"
    password: "{{ state.password ?? random.password }}"
    database: "{{ state.database ?? params.database ?? '\(store.defaultDatabase)' }}"\(extraState)
  outputs:
    host: "{{ uid }}"
    port: \(store.port)\(database)
    username: "{{ state.username }}"
    password: "{{ state.password }}"\(uri)\(extra)
  secrets: [\(secrets.joined(separator: ", "))]
  manifests:
    - apiVersion: v1
      kind: Secret
      metadata: {name: "{{ uid }}", labels: {app.kubernetes.io/managed-by: innominatus}}
      type: Opaque
      stringData: {username: "{{ state.username }}", password: "{{ state.password }}"}
    - apiVersion: v1
      kind: Service
      metadata: {name: "{{ uid }}", labels: {app.kubernetes.io/managed-by: innominatus}}
      spec:
        selector: {app.kubernetes.io/instance: "{{ uid }}"}
        ports: [{name: main, port: \(store.port), targetPort: \(store.port)}]
    - apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: "{{ uid }}", labels: {app.kubernetes.io/managed-by: innominatus}}
      spec:
        serviceName: "{{ uid }}"
        replicas: 1
        selector: {matchLabels: {app.kubernetes.io/instance: "{{ uid }}"}}
        template:
          metadata: {labels: {app.kubernetes.io/instance: "{{ uid }}"}}
          spec:
            containers:
              - name: main
                image: \(store.image)
                ports: [{containerPort: \(store.port)}]
                env:\(env)
"""
    }
}
