import ArgumentParser
import Foundation
import KubeMailAPI
import KubeMailCtl
import KubeMailLint
import KubeMailPolicy

@main
struct KubeMailCtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubemailctl",
        abstract: "The admin CLI of kube-mail, the policy-based SMTP relay for Kubernetes.",
        discussion: """
            Exit codes: 0 success, 1 findings or failure of the checked thing, 2 usage or I/O error.
            """,
        version: KubeMailVersion.current,
        subcommands: [CRDs.self, Lint.self, Simulate.self, Send.self]
    )

    /// ArgumentParser exits 64 on usage errors; kubemailctl promises 2, like kubectl.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

struct CRDs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crds",
        abstract: "Print or write the CustomResourceDefinitions generated from kube-mail's types.",
        discussion: """
            Examples:
              kubemailctl crds | kubectl apply -f -
              kubemailctl crds -o crds/
              kubemailctl crds --format json-schema -o schemas/   # for check-jsonschema or kubeconform
            """
    )

    @Option(
        name: [.short, .customLong("output-dir")],
        help: "Write one file per kind into this directory instead of printing."
    )
    var outputDirectory: String?

    @Option(
        help: "crd (apiextensions.k8s.io/v1) or json-schema (strict draft-7 JSON Schema, as kubeconform names them)."
    )
    var format: CRDCommand.Format = .crd

    func run() throws {
        do {
            if let outputDirectory {
                for path in try CRDCommand.write(format: format, to: outputDirectory) {
                    FileHandle.standardError.write(Data("wrote \(path)\n".utf8))
                }
            } else {
                print(try CRDCommand.render(format: format), terminator: "")
            }
        } catch {
            FileHandle.standardError.write(Data("kubemailctl crds: \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
    }
}

extension CRDCommand.Format: ExpressibleByArgument {}
