import Foundation

extension SpecValidator {
    /// Why a path given to `innominatus validate` could not be read at all (a usage problem, not a
    /// finding about a spec).
    public struct UnreadableFile: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var description: String { "cannot read \(path)" }
    }

    /// Validates the file at `path`, detecting its kind from its content. The size limit is checked
    /// before the file is read, so a 50 MB file costs nothing.
    public func validate(fileAt path: String) throws(UnreadableFile) -> SpecFileReport {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = (attributes?[.size] as? NSNumber)?.intValue, size > limits.maxFileBytes {
            let message = "the file is \(size) bytes, more than the limit of \(limits.maxFileBytes) bytes for a spec "
                + "file; split it or remove what does not belong in it"
            return SpecFileReport(path: path, kind: .unknown,
                                  diagnostics: [SpecDiagnostic(file: path, at: .start, field: "", message: message)])
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw UnreadableFile(path: path) }
        return validate(Array(data), path: path)
    }
}
