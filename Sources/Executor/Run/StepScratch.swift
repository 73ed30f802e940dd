import Foundation
import Glibc

/// The private folder of one attempt of one step: `TMPDIR` and the home of its `$INNOMINATUS_OUTPUT`,
/// 0700 and owned by the step user, removed when the attempt ends, so nothing one step leaves behind is
/// seen by another.
enum StepScratch {
    /// A new folder under `parent` (the run's scratch), or why not.
    static func make(in parent: String, owner: StepUser?) -> Result<String, ExecutorError> {
        var template = Array("\(parent)/step-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            return .failure(ExecutorError(.environment, "cannot create the step's scratch folder in \(parent): "
                + String(cString: strerror(errno))))
        }
        let path = String(cString: made)
        if let owner, chown(path, owner.uid, owner.gid) != 0 {
            let reason = String(cString: strerror(errno))
            rmdir(path)
            return .failure(ExecutorError(.environment, "cannot give the step's scratch folder \(path) to \(owner): \(reason)"))
        }
        return .success(path)
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
