import ArgumentParser
import Foundation
import KubeMailCtl
import KubeMailLint

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check kube-mail manifests: YAML, schema, references between the files, and risky set-ups.",
        discussion: """
            Every finding has file:line:column, a rule id, a severity and a hint. Objects of other API groups are \
            ignored, but Secrets and Namespaces are read to resolve references.

            Exit codes: 0 no errors; 1 an error was found (with --strict: or a warning); 2 usage error, a file \
            that cannot be read, or YAML that cannot be parsed.

            Examples:
              kubemailctl lint config/
              kubemailctl lint --format sarif manifests/ > kube-mail.sarif
              kubectl get emailpolicies -A -o yaml | kubemailctl lint -
              kubemailctl lint --strict --disable policy-overlap policies.yaml
            """
    )

    @Argument(help: "Files, directories (searched recursively for .yaml and .yml), or - for standard input.")
    var paths: [String] = []

    @Option(help: "Report format: text, json, sarif, junit or github (workflow annotations).")
    var format: LintReport.Format = .text

    @Flag(help: "Fail (exit 1) on warnings too.")
    var strict = false

    @Option(name: [.short, .customLong("namespace")], help: "The namespace of objects that name none.")
    var defaultNamespace = "default"

    @Option(help: "kube-mail's own namespace, whose default policies serve every namespace.")
    var systemNamespace = "kube-mail"

    @Option(name: .customLong("disable"), help: "A rule id not to report (repeatable).")
    var disabledRules: [String] = []

    @Flag(help: "List the rules and exit.")
    var listRules = false

    func validate() throws {
        if paths.isEmpty && !listRules {
            throw ValidationError("Name at least one file, directory or - (standard input).")
        }
        let known = Set(LintRule.all.map(\.id))
        for rule in disabledRules where !known.contains(rule) {
            throw ValidationError("Unknown rule \"\(rule)\"; kubemailctl lint --list-rules lists them.")
        }
    }

    func run() throws {
        if listRules {
            for rule in LintRule.all {
                print(
                    "\(rule.id.padding(toLength: 26, withPad: " ", startingAt: 0)) \(rule.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(rule.summary)"
                )
            }
            return
        }
        var options = LintOptions()
        options.defaultNamespace = defaultNamespace
        options.systemNamespace = systemNamespace
        options.disabledRules = Set(disabledRules)
        let report = LintCommand.run(paths: paths, options: options)
        print(report.rendered(as: format, strict: strict), terminator: "")
        let code = report.exitCode(strict: strict)
        if code != 0 { throw ExitCode(code) }
    }
}

extension LintReport.Format: ExpressibleByArgument {}
