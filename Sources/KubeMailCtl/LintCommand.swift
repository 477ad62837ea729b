import Foundation
import KubeMailLint

/// `kubemailctl lint`: reads the manifests, lints them and renders the report.
public enum LintCommand {
    public static func run(
        paths: [String],
        options: LintOptions,
        standardInput: () -> [UInt8] = { Array(FileHandle.standardInput.readDataToEndOfFile()) }
    ) -> LintReport {
        let (inputs, problems) = ManifestFiles.collect(paths, standardInput: standardInput)
        return Linter(options: options).lint(inputs, inputProblems: problems)
    }
}
