/// The platform defaults: storage, messaging topics, networking and configuration.
extension DefaultProvisionerTexts {
    static let platform = """
- uri: template://default/s3
  type: s3
  description: A bucket name and generated access keys; point endpoint at the platform's object store.
  state:
    bucket: "{{ state.bucket ?? params.bucket ?? uid }}"
    access_key_id: "{{ state.access_key_id ?? random.id }}"
    secret_key: "{{ state.secret_key ?? random.password }}"
  outputs:
    bucket: "{{ state.bucket }}"
    endpoint: "{{ params.endpoint ?? 'http://minio:9000' }}"
    region: "{{ params.region ?? 'us-east-1' }}"
    access_key_id: "{{ state.access_key_id }}"
    aws_access_key_id: "{{ state.access_key_id }}"
    secret_key: "{{ state.secret_key }}"
    aws_secret_key: "{{ state.secret_key }}"
  secrets: [secret_key, aws_secret_key]
- uri: template://default/kafka-topic
  type: kafka-topic
  description: A topic name on the platform's Kafka cluster.
  state:
    name: "{{ state.name ?? params.name ?? uid }}"
  outputs:
    host: "{{ params.host ?? 'kafka' }}"
    port: "{{ params.port ?? '9092' }}"
    name: "{{ state.name }}"
    num_partitions: "{{ params.partitions ?? '3' }}"
- uri: template://default/dns
  type: dns
  description: A stable generated host name under the platform's domain.
  state:
    prefix: "{{ state.prefix ?? random.id }}"
    host: "{{ state.prefix }}.{{ params.domain ?? 'localhost' }}"
  outputs:
    host: "{{ params.host ?? state.host }}"
- uri: template://default/route-ingress
  type: route
  class: ingress
  description: "An Ingress (class: ingress) routing params.host and params.path to a port of the app's Service (params.port: a service port's name or number)."
  outputs:
    host: "{{ params.host }}"
    path: "{{ params.path ?? '/' }}"
    port: "{{ workload.ports[params.port] ?? params.port }}"
  manifests:
    - apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: {name: "{{ uid }}", labels: {app.kubernetes.io/managed-by: innominatus}}
      spec:
        rules:
          - host: "{{ params.host }}"
            http:
              paths:
                - path: "{{ params.path ?? '/' }}"
                  pathType: Prefix
                  backend:
                    service:
                      name: "{{ app }}"
                      port: {number: "{{ workload.ports[params.port] ?? params.port }}"}
- uri: template://default/route
  type: route
  description: "A Gateway API HTTPRoute sending params.host and params.path to a port of the app's Service (params.port: a service port's name or number; params.gateway: the Gateway, default 'default')."
  outputs:
    host: "{{ params.host }}"
    path: "{{ params.path ?? '/' }}"
    port: "{{ workload.ports[params.port] ?? params.port }}"
  manifests:
    - apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: "{{ uid }}", labels: {app.kubernetes.io/managed-by: innominatus}}
      spec:
        parentRefs: [{name: "{{ params.gateway ?? 'default' }}"}]
        hostnames: ["{{ params.host }}"]
        rules:
          - matches: [{path: {type: PathPrefix, value: "{{ params.path ?? '/' }}"}}]
            backendRefs: [{name: "{{ app }}", port: "{{ workload.ports[params.port] ?? params.port }}"}]
- uri: template://default/volume
  type: volume
  description: "A PersistentVolumeClaim; mount it with source ${resources.NAME}."
  outputs:
    claimName: "{{ uid }}"
  manifests:
    - apiVersion: v1
      kind: PersistentVolumeClaim
      metadata: {name: "{{ uid }}", labels: {app.kubernetes.io/managed-by: innominatus}}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: "{{ params.size ?? '1Gi' }}"}}
- uri: template://default/service-port
  type: service-port
  description: The in-cluster address of another workload's port (params workload and port).
  outputs:
    name: "{{ params.workload }}"
    hostname: "{{ params.workload }}"
    port: "{{ params.port }}"
- uri: template://default/environment
  type: environment
  description: "Values of the target environment: its params, then the admin config's workflowPolicies.environment (innominatus render: the process environment)."
  outputs: "{{ params }}"

"""
}
