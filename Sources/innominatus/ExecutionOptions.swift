import ArgumentParser
import Executor
import Logging
import Reconciler

/// What the commands that run steps share: who steps run as, and how much of the disk their logs take.
struct ExecutionOptions: ParsableArguments {
    @Option(name: .customLong("step-user"), help: ArgumentHelp(
        "Who steps run as when the reconciler runs as root (a name or uid). Default: the user innominatus-step (create it with: useradd --system --no-create-home --shell /usr/sbin/nologin innominatus-step), else nobody. Steps then cannot write the checkout nor read the workdir's state, secrets and logs. Naming root keeps steps as root. A reconciler that is not root runs steps as itself and says so at start.",
        valueName: "NAME"))
    var stepUser: String?

    @Option(name: .customLong("log-retention"), help: ArgumentHelp(
        "Keep the step logs (<workdir>/logs/<commit>/) of this many passes; older ones are removed.", valueName: "PASSES"))
    var logRetention: Int = 20

    @Option(name: .customLong("app-log-limit"), help: ArgumentHelp(
        "One app's full step logs in one pass stop growing past this many MiB (each step's log stops at 16 MiB as well).",
        valueName: "MIB"))
    var appLogLimit: Int = 64

    @Option(name: .customLong("min-free"), help: ArgumentHelp(
        "A pass does not start with less than this many MiB free in the workdir (it could not record its status); it fails with \"disk full\" instead.",
        valueName: "MIB"))
    var minFree: Int = 64

    func validate() throws {
        guard logRetention >= 1 else { throw ValidationError("--log-retention must be at least 1") }
        guard appLogLimit >= 1 else { throw ValidationError("--app-log-limit must be at least 1 (MiB)") }
        guard minFree >= 0 else { throw ValidationError("--min-free must be 0 or more (MiB)") }
        if case .failure(let error) = StepUser.resolve(stepUser) { throw ValidationError(error.description) }
    }

    /// `settings` with these options, and the start-up warning about who steps run as, logged.
    func apply(to settings: ReconcileSettings) -> ReconcileSettings {
        var settings = settings
        if case .success(let resolved) = StepUser.resolve(stepUser) {
            settings.stepUser = resolved.user
            if let warning = resolved.warning { Logger(label: "innominatus").warning("\(warning)") }
        }
        settings.logRetention = logRetention
        settings.appLogLimitBytes = appLogLimit << 20
        settings.minimumFreeBytes = minFree << 20
        return settings
    }
}
