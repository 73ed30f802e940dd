/// The database and broker defaults as provisioner YAML (the same format a repository uses).
enum DefaultProvisionerTexts {
    static let databases = """
- uri: template://default/postgres
  type: postgres
  description: A single-replica postgres StatefulSet with generated credentials.
  state:
    username: "{{ state.username ?? 'app' }}"
    password: "{{ state.password ?? random.password }}"
    database: "{{ state.database ?? params.database ?? 'app' }}"
  outputs:
    host: "{{ uid }}"
    port: 5432
    name: "{{ state.database }}"
    database: "{{ state.database }}"
    username: "{{ state.username }}"
    password: "{{ state.password }}"
    uri: "postgresql://{{ state.username }}:{{ state.password }}@{{ uid }}:5432/{{ state.database }}"
  secrets: [password, uri]
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
        ports: [{name: main, port: 5432, targetPort: 5432}]
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
                image: postgres:16-alpine
                ports: [{containerPort: 5432}]
                env:
                    - name: POSTGRES_USER
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: username}}
                    - name: POSTGRES_PASSWORD
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: password}}
                    - name: POSTGRES_DB
                      value: "{{ state.database }}"
- uri: template://default/postgres-instance
  type: postgres-instance
  description: A single-replica postgres-instance StatefulSet with generated credentials.
  state:
    username: "{{ state.username ?? 'postgres' }}"
    password: "{{ state.password ?? random.password }}"
    database: "{{ state.database ?? params.database ?? 'app' }}"
  outputs:
    host: "{{ uid }}"
    port: 5432
    name: "{{ state.database }}"
    database: "{{ state.database }}"
    username: "{{ state.username }}"
    password: "{{ state.password }}"
  secrets: [password]
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
        ports: [{name: main, port: 5432, targetPort: 5432}]
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
                image: postgres:16-alpine
                ports: [{containerPort: 5432}]
                env:
                    - name: POSTGRES_USER
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: username}}
                    - name: POSTGRES_PASSWORD
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: password}}
- uri: template://default/mysql
  type: mysql
  description: A single-replica mysql StatefulSet with generated credentials.
  state:
    username: "{{ state.username ?? 'app' }}"
    password: "{{ state.password ?? random.password }}"
    database: "{{ state.database ?? params.database ?? 'app' }}"
  outputs:
    host: "{{ uid }}"
    port: 3306
    name: "{{ state.database }}"
    database: "{{ state.database }}"
    username: "{{ state.username }}"
    password: "{{ state.password }}"
  secrets: [password]
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
        ports: [{name: main, port: 3306, targetPort: 3306}]
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
                image: mysql:8.4
                ports: [{containerPort: 3306}]
                env:
                    - name: MYSQL_USER
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: username}}
                    - name: MYSQL_PASSWORD
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: password}}
                    - name: MYSQL_DATABASE
                      value: "{{ state.database }}"
                    - name: MYSQL_RANDOM_ROOT_PASSWORD
                      value: "yes"
- uri: template://default/mongodb
  type: mongodb
  description: A single-replica mongodb StatefulSet with generated credentials.
  state:
    username: "{{ state.username ?? 'app' }}"
    password: "{{ state.password ?? random.password }}"
    database: "{{ state.database ?? params.database ?? 'app' }}"
  outputs:
    host: "{{ uid }}"
    port: 27017
    name: "{{ state.database }}"
    database: "{{ state.database }}"
    username: "{{ state.username }}"
    password: "{{ state.password }}"
    uri: "mongodb://{{ state.username }}:{{ state.password }}@{{ uid }}:27017/"
  secrets: [password, uri]
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
        ports: [{name: main, port: 27017, targetPort: 27017}]
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
                image: mongo:7
                ports: [{containerPort: 27017}]
                env:
                    - name: MONGO_INITDB_ROOT_USERNAME
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: username}}
                    - name: MONGO_INITDB_ROOT_PASSWORD
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: password}}
- uri: template://default/redis
  type: redis
  description: A single-replica redis StatefulSet with generated credentials.
  state:
    username: "{{ state.username ?? 'default' }}"
    password: "{{ state.password ?? random.password }}"
    database: "{{ state.database ?? params.database ?? 'app' }}"
  outputs:
    host: "{{ uid }}"
    port: 6379
    name: "{{ state.database }}"
    database: "{{ state.database }}"
    username: "{{ state.username }}"
    password: "{{ state.password }}"
  secrets: [password]
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
        ports: [{name: main, port: 6379, targetPort: 6379}]
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
                image: redis:7-alpine
                ports: [{containerPort: 6379}]
                env:
                    - name: REDIS_PASSWORD
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: password}}
- uri: template://default/amqp
  type: amqp
  description: A single-replica amqp StatefulSet with generated credentials.
  state:
    username: "{{ state.username ?? 'app' }}"
    password: "{{ state.password ?? random.password }}"
    database: "{{ state.database ?? params.database ?? 'app' }}"
  outputs:
    host: "{{ uid }}"
    port: 5672
    name: "{{ state.database }}"
    database: "{{ state.database }}"
    username: "{{ state.username }}"
    password: "{{ state.password }}"
    uri: "amqp://{{ state.username }}:{{ state.password }}@{{ uid }}:5672/"
  secrets: [password, uri]
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
        ports: [{name: main, port: 5672, targetPort: 5672}]
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
                image: rabbitmq:3-management-alpine
                ports: [{containerPort: 5672}]
                env:
                    - name: RABBITMQ_DEFAULT_USER
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: username}}
                    - name: RABBITMQ_DEFAULT_PASS
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: password}}
- uri: template://default/mssql
  type: mssql
  description: A single-replica mssql StatefulSet with generated credentials.
  state:
    username: "{{ state.username ?? 'sa' }}"
    password: "{{ state.password ?? random.password }}"
    database: "{{ state.database ?? params.database ?? 'app' }}"
  outputs:
    host: "{{ uid }}"
    port: 1433
    name: "{{ state.database }}"
    database: "{{ state.database }}"
    username: "{{ state.username }}"
    password: "{{ state.password }}"
  secrets: [password]
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
        ports: [{name: main, port: 1433, targetPort: 1433}]
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
                image: mcr.microsoft.com/mssql/server:2022-latest
                ports: [{containerPort: 1433}]
                env:
                    - name: MSSQL_SA_PASSWORD
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: password}}
                    - name: ACCEPT_EULA
                      value: "Y"
- uri: template://default/elasticsearch
  type: elasticsearch
  description: A single-replica elasticsearch StatefulSet with generated credentials.
  state:
    username: "{{ state.username ?? 'elastic' }}"
    password: "{{ state.password ?? random.password }}"
    database: "{{ state.database ?? params.database ?? 'app' }}"
  outputs:
    host: "{{ uid }}"
    port: 9200
    name: "{{ state.database }}"
    database: "{{ state.database }}"
    username: "{{ state.username }}"
    password: "{{ state.password }}"
  secrets: [password]
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
        ports: [{name: main, port: 9200, targetPort: 9200}]
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
                image: docker.elastic.co/elasticsearch/elasticsearch:8.14.0
                ports: [{containerPort: 9200}]
                env:
                    - name: ELASTIC_PASSWORD
                      valueFrom: {secretKeyRef: {name: "{{ uid }}", key: password}}
                    - name: discovery.type
                      value: single-node
"""
}
