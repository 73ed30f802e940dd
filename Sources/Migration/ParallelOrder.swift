import Specs

/// The original's `parallel: true` / `parallelGroup: N` as this project's DAG: the steps of one group all
/// depend on what the step before the group depended on, and the step after the group depends on all of them.
struct ParallelOrder {
    private var previous: [String] = []
    private var groupDependencies: [String] = []
    private var group: [String] = []
    private var groupID: Int?

    /// The `dependsOn` to write for `name`, or nil when the default (the step before) is right.
    mutating func next(_ name: String, node: YAMLNode) -> [String]? {
        let parallel = node["parallel"]?.value == .bool(true) || node["parallelGroup"] != nil
        let id = node["parallelGroup"]?.value.intValue ?? -1
        if parallel {
            if !group.isEmpty && groupID == id {
                group.append(name)
                return groupDependencies
            }
            let closed = group
            groupDependencies = closed.count > 1 ? closed : previous
            group = [name]
            groupID = id
            previous = [name]
            return closed.count > 1 ? closed : nil
        }
        defer { group = []; groupID = nil; previous = [name] }
        return group.count > 1 ? group : nil
    }

    mutating func explicit(_ name: String) {
        group = []
        groupID = nil
        previous = [name]
    }
}
