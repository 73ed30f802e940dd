/// Finds a cycle in a dependency graph (container `before`, step `dependsOn`), so the error can name
/// the whole loop rather than just one edge.
enum Cycle {
    /// One cycle as a path that starts and ends at the same node, or nil when the graph is acyclic.
    /// Iterative, so a hostile 10,000-step chain cannot overflow the stack.
    static func find(in graph: [String: [String]]) -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        for start in graph.keys.sorted() where marks[start] == nil {
            var stack: [(node: String, next: Int)] = [(start, 0)]
            marks[start] = .visiting
            while var top = stack.popLast() {
                let edges = graph[top.node] ?? []
                if top.next < edges.count {
                    let target = edges[top.next]
                    top.next += 1
                    stack.append(top)
                    switch marks[target] {
                    case .visiting:
                        let names = stack.map(\.node)
                        let loop = names[(names.firstIndex(of: target) ?? 0)...]
                        return Array(loop) + [target]
                    case .done:
                        continue
                    case nil:
                        marks[target] = .visiting
                        stack.append((target, 0))
                    }
                } else {
                    marks[top.node] = .done
                }
            }
        }
        return nil
    }
}
