import Foundation

/// Collects the manifests named on the command line: files as given, directories recursively
/// (`.yaml` and `.yml`, hidden folders skipped, in a stable order), `-` for standard input.
public enum ManifestFiles {
    public static func collect(
        _ paths: [String],
        standardInput: () -> [UInt8]
    ) -> (inputs: [LintInput], problems: [Finding]) {
        var inputs: [LintInput] = []
        var problems: [Finding] = []
        let manager = FileManager.default
        func problem(_ path: String, _ message: String) {
            problems.append(Finding(file: path, position: .start, rule: .ioError, message: message, object: nil))
        }
        func read(_ path: String) {
            guard let data = manager.contents(atPath: path) else {
                problem(
                    path,
                    manager.isReadableFile(atPath: path)
                        ? "cannot read \(path)" : "cannot read \(path): permission denied"
                )
                return
            }
            inputs.append(LintInput(name: path, bytes: Array(data)))
        }
        for path in paths {
            if path == "-" {
                inputs.append(LintInput(name: "-", bytes: standardInput()))
                continue
            }
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problem(path, "\(path): no such file or directory")
                continue
            }
            guard isDirectory.boolValue else {
                read(path)
                continue
            }
            guard let enumerator = manager.enumerator(atPath: path) else {
                problem(path, "cannot list \(path)")
                continue
            }
            var found: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") {
                    if enumerator.fileAttributes?[.type] as? FileAttributeType == .typeDirectory {
                        enumerator.skipDescendants()
                    }
                    continue
                }
                if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                    found.append((path as NSString).appendingPathComponent(relative))
                }
            }
            for file in found.sorted() {
                var fileIsDirectory: ObjCBool = false
                if manager.fileExists(atPath: file, isDirectory: &fileIsDirectory), !fileIsDirectory.boolValue {
                    read(file)
                }
            }
        }
        return (inputs, problems)
    }
}
