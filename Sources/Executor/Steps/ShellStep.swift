import Foundation
import Specs

/// `type: shell`: RUN as `sh -c` runs it (in a subshell of the step's guard), in the checkout, with the scrubbed environment of `StepEnvironment`;
/// outputs are the `key=value` lines the script writes to `$INNOMINATUS_OUTPUT`. Placeholders in RUN reach the
/// script as variables (`${INNOMINATUS_VALUE_1}`…): their values are never parsed as shell code.
enum ShellStep {
    /// `INNOMINATUS_VALUE_1`, `_2`, …: the placeholders of a `run:` script, in order.
    static let valuePrefix = "INNOMINATUS_VALUE_"

    static func run(_ invocation: StepInvocation) async -> AttemptResult {
        let step = invocation.step
        let outputFile = "\(invocation.scratch)/\(step.name).\(invocation.attempt).out"
        var environment: StepEnvironment
        let script: String
        do {
            environment = try StepEnvironment(step: step, scope: invocation.scope, resolver: invocation.resolver,
                                              outputFile: outputFile, admin: invocation.admin, settings: invocation.settings)
            // A placeholder's value (Score metadata, outputs: text written by app teams) becomes a shell variable,
            // never script text, so `$(…)`, backquotes or quotes in it are data: the shell does not run them.
            var values: [String] = []
            script = try invocation.resolver.resolve(step.run ?? "", field: "steps.\(step.name).run") { value, before in
                values.append(value)
                let variable = "${\(Self.valuePrefix)\(values.count)}"
                // Inside '…' a variable is not expanded: close the quotes around it, as the value was meant literally there.
                return ShellQuoting.isInsideSingleQuotes(before) ? "'\"\(variable)\"'" : variable
            }
            for (index, value) in values.enumerated() { environment.variables["\(Self.valuePrefix)\(index + 1)"] = value }
            environment.variables["TMPDIR"] = invocation.scratch
        } catch {
            return .failure(error.message)
        }
        // Not created in advance: most steps write no outputs. It lives in the attempt's own scratch folder
        // (0700, the step user's), which the runner removes.
        let mask = invocation.mask.adding(environment.secrets)
        let spec = ProcessSpec(executable: "/bin/sh", arguments: [script], isShellScript: true,
                               environment: environment.variables, directory: invocation.scope.app.repositoryRoot,
                               input: nil, timeout: invocation.timeout, grace: invocation.settings.killGrace,
                               mask: mask, logPath: invocation.logPath, user: invocation.settings.stepUser,
                               logBudget: invocation.settings.logBudget)
        let end = await StepProcess.run(spec)
        var result = AttemptResult.from(end, what: "the script", timeout: invocation.timeout)
        result.secrets = environment.secrets
        if result.result == .succeeded {
            switch OutputFile.parse(atPath: outputFile, owner: invocation.settings.stepUser) {
            case .success(let outputs): result.outputs = outputs
            case .failure(let error):
                result.result = .failed
                result.message = error.message
                // The script exited 0: without this line its log would not say why the step failed.
                let line = StepLog.noteLine(error.message)
                result.log.append(line)
                StepLog.appendNotes([line], to: invocation.logPath)
            }
        }
        return result
    }
}

/// The `$INNOMINATUS_OUTPUT` format: one `key=value` per line; blank lines are ignored.
enum OutputFile {
    static let maxBytes = 1024 * 1024

    /// - Parameter owner: the user the step ran as: the file must be that user's own regular file.
    static func parse(atPath path: String, owner: StepUser? = nil) -> Result<[String: String], ExecutorError> {
        // The step controls the folder: the reconciler (perhaps root) must not follow a link it planted to
        // another file, block on a FIFO, or read a file it hard-linked from somewhere it cannot read itself.
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return .success([:]) }
            return .failure(ExecutorError(.invalidStep, "$INNOMINATUS_OUTPUT cannot be read (\(String(cString: strerror(errno)))): "
                + "write a plain file, not a link"))
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
              owner.map({ status.st_uid == $0.uid && status.st_nlink == 1 }) ?? true else {
            return .failure(ExecutorError(.invalidStep, "$INNOMINATUS_OUTPUT is not a plain file the step wrote itself; "
                + "write key=value lines to it with >>"))
        }
        let data = (try? handle.read(upToCount: maxBytes + 1)) ?? Data()
        guard data.count <= maxBytes else {
            return .failure(ExecutorError(.invalidStep, "the step wrote more than 1 MiB to $INNOMINATUS_OUTPUT; "
                + "write short key=value lines and keep large data in files"))
        }
        var outputs: [String: String] = [:]
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.hasSuffix("\r") ? line.dropLast() : line
            if text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                return .failure(ExecutorError(.invalidStep, "line \(number + 1) of $INNOMINATUS_OUTPUT is not key=value: "
                    + "write one 'key=value' per line, e.g. echo \"url=https://…\" >> \"$INNOMINATUS_OUTPUT\""))
            }
            outputs[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return .success(outputs)
    }
}

/// Where a position in a POSIX shell script stands: enough of the quoting rules to keep a substituted
/// variable expanded inside single quotes. A misjudged position (e.g. quotes nested in `$(…)`) can only give
/// a value extra quote characters, never run it: the value itself is always a variable.
enum ShellQuoting {
    static func isInsideSingleQuotes(_ script: String) -> Bool {
        enum State { case plain, single, double, comment }
        var state = State.plain
        var escaped = false
        var previous: Unicode.Scalar = "\n"
        for character in script.unicodeScalars {
            defer { previous = character }
            if escaped {
                escaped = false
                continue
            }
            switch state {
            case .plain:
                if character == "\\" { escaped = true }
                else if character == "'" { state = .single }
                else if character == "\"" { state = .double }
                else if character == "#", previous == " " || previous == "\t" || previous == "\n" || previous == ";" { state = .comment }
            case .single:
                if character == "'" { state = .plain }
            case .double:
                if character == "\\" { escaped = true } else if character == "\"" { state = .plain }
            case .comment:
                if character == "\n" { state = .plain }
            }
        }
        return state == .single
    }
}
