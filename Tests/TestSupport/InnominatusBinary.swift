import Foundation

/// The `innominatus` executable built beside the test bundle (`.build/debug/innominatus`), for tests of
/// test targets that do not import GitKit (`GitFixture.helper` is the same path).
public enum InnominatusBinary {
    public static var path: String {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
        return directory.appendingPathComponent("innominatus").path
    }

    /// Runs `innominatus ARGUMENTS` to completion.
    public static func run(_ arguments: [String], in directory: String? = nil) throws -> Shell.Result {
        try Shell.execute([path] + arguments, in: directory)
    }
}
