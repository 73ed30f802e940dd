import CProcess

public enum ProcessHardening {
    /// Makes this process's `/proc/<pid>` files (its environment with `INNOMINATUS_GIT_TOKEN`, its memory,
    /// its descriptors) root's, so no other process of the same user, such as a step, can read them; and
    /// leaves no core dump. Children are not affected: `exec` resets the flag.
    public static func closeProcessFiles() {
        _ = innominatus_set_not_dumpable()
    }
}
