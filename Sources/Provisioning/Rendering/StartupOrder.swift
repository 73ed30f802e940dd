import Specs

/// Score's `before` (containers that must reach a state before this one starts) as Kubernetes start order:
/// a container awaited until `complete` becomes an init container, one awaited until `started` or `healthy`
/// a native sidecar (an init container with `restartPolicy: Always`, Kubernetes 1.29 and later), and the
/// init containers run in dependency order, ties by name. Cycles were rejected by validation.
struct StartupOrder {
    /// In the order Kubernetes must start them.
    var initContainers: [String] = []
    var sidecars: Set<String> = []

    init(_ containers: [String: ScoreWorkload.Container]) {
        var awaited: [String: String] = [:]
        for container in containers.values {
            for (name, state) in container.before where containers[name] != nil {
                // A container some other one waits to complete must run to completion.
                if awaited[name] != "complete" { awaited[name] = state }
            }
        }
        sidecars = Set(awaited.filter { $0.value != "complete" }.keys)
        var done: Set<String> = []
        while done.count < awaited.count {
            let ready = awaited.keys.sorted().filter { name in
                !done.contains(name) && containers[name]!.before.keys.allSatisfy { awaited[$0] == nil || done.contains($0) }
            }
            // A cycle would stop the loop; validation rejects cycles, so take the rest by name rather than hang.
            let next = ready.isEmpty ? awaited.keys.sorted().filter { !done.contains($0) } : ready
            initContainers += next
            done.formUnion(next)
        }
    }
}
