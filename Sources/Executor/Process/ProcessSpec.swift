/// One child process to run for a step, and how to treat its output.
struct ProcessSpec: Sendable {
    /// An absolute path; ignored for a shell script.
    var executable: String
    /// The whole argv, argv[0] included; for a shell script, just the script.
    var arguments: [String]
    /// True: `arguments[0]` is a shell script, evaluated in the guard's subshell as `sh -c` would run it
    /// (one exec fewer per step; `$$` is then the guard's pid, which is also the step's process group).
    var isShellScript = false
    /// The complete environment: nothing of the reconciler's own is added.
    var environment: [String: String]
    var directory: String
    /// Written to the child's stdin; nil gives it an empty stdin.
    var input: [UInt8]?
    /// True: stdout is collected apart (a plugin's JSON answer) and only stderr is logged.
    var separateStdout = false
    /// More stdout than this fails the step rather than growing memory.
    var maxStdoutBytes = 4 * 1024 * 1024
    var timeout: Duration
    /// Between SIGTERM and SIGKILL to the step's process group.
    var grace: Duration
    var mask: SecretMask
    /// The full log file (appended to), if any.
    var logPath: String?
    /// Who the child runs as; nil: the reconciler's own user.
    var user: StepUser?
    /// Shared cap on the log files of the step's group.
    var logBudget: LogBudget?
}

/// How a child process ended.
struct ProcessEnd: Sendable {
    /// Exit status, or 128 + signal; nil when it could not start.
    var exitCode: Int32?
    var timedOut = false
    var cancelled = false
    /// Collected stdout when `separateStdout` was set.
    var stdout: [UInt8] = []
    var stdoutOverflowed = false
    /// The masked last lines of its log.
    var log: [String] = []
    /// Why it could not start.
    var failure: String?
}
