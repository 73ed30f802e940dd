/// Rules for paths that spec files name inside the platform repository (`inputs`, `workflowsRoot`,
/// plugin commands): they are relative and never climb out of the checkout.
public enum RepositoryPath {
    /// A sentence saying why `path` may leave the repository, or nil when it stays inside.
    public static func problem(with path: String) -> String? {
        if path.isEmpty { return "a path must not be empty" }
        if path.hasPrefix("/") || path.hasPrefix("~") {
            return "'\(path)' is absolute; write a path relative to the repository root"
        }
        var depth = 0
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                depth -= 1
                if depth < 0 { return "'\(path)' leaves the repository through '..'; keep it inside the repository" }
            default: depth += 1
            }
        }
        return nil
    }

    /// `./workflows/` → `workflows`, `scripts/../bin/x` → `bin/x`: the form used to compare with paths from a
    /// git tree. The one normalisation of repository paths (docs/ARCHITECTURE.md §15): the admin config's roots,
    /// `inputs`, scripts a step names, plugin commands the loader looks up.
    public static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for component in path.split(separator: "/") where component != "." {
            if component == "..", !parts.isEmpty { parts.removeLast() } else { parts.append(component) }
        }
        return parts.joined(separator: "/")
    }
}
