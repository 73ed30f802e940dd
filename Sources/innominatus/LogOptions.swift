import ArgumentParser
import Logging
import Reconciler

/// `--log-format` and `--log-level`, shared by the commands that run passes.
struct LogOptions: ParsableArguments {
    @Option(help: "Log lines on stderr: text (for people) or json (one object per line, for machines).")
    var logFormat: LineLogHandler.Format = .text

    @Option(help: "Least severe level logged: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// Installs the handler; call once, before the first logger is made.
    func bootstrap() {
        let format = logFormat, level = logLevel
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, format: format, level: level) }
    }
}

extension LineLogHandler.Format: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
