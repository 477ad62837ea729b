import ArgumentParser
import Foundation
import KubeMailAPI
import KubeMailCtl
import KubeMailLint
import KubeMailPolicy

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which EmailPolicy a Pod gets, why, and what the relay does with its mail.",
        discussion: """
            Lists every candidate policy (the namespace's own and the system namespace's defaults), whether it \
            selects the Pod and which requirement failed, the winner and why, the resolved server, credentials and \
            rate limit. The manifests come from -f (files or directories).

            Exit codes: 0 the mail would be delivered; 1 it would be refused (the relay's reply is shown); 2 usage \
            or input error.

            Examples:
              kubemailctl simulate -n shop -l app=web,tier=frontend -f config/
              kubemailctl simulate --pod shop/web-7d9f -f manifests/ -o json
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(name: [.short, .long], help: "The Pod's namespace (with --labels, or with --pod NAME).")
    var namespace: String?

    @Option(name: [.short, .long], help: "The Pod's labels: key=value,key2=value2.")
    var labels: String?

    @Option(help: "A Pod defined in the manifests: NAMESPACE/NAME (or NAME with -n).")
    var pod: String?

    @Option(name: [.customShort("f"), .customLong("filename")], help: "A manifest file or directory (repeatable).")
    var files: [String] = []

    @Option(help: "kube-mail's own namespace, whose default policies serve every namespace.")
    var systemNamespace = "kube-mail"

    @Option(name: [.short, .long], help: "Output format: text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name the manifests with -f FILE|DIR.") }
        if pod == nil && namespace == nil {
            throw ValidationError("Describe the Pod with --pod NAMESPACE/NAME, or -n NAMESPACE and --labels.")
        }
        if pod != nil && labels != nil {
            throw ValidationError("--pod takes the Pod's labels from the manifests; drop --labels.")
        }
    }

    func run() throws {
        let (inputs, problems) = ManifestFiles.collect(
            files,
            standardInput: { Array(FileHandle.standardInput.readDataToEndOfFile()) }
        )
        for problem in problems { fail(problem.message) }
        if !problems.isEmpty { throw ExitCode(2) }
        var snapshot = ManifestSnapshot(defaultNamespace: "default")
        for input in inputs {
            guard let text = String(validating: input.bytes, as: UTF8.self) else {
                throw fatal("\(input.name): not valid UTF-8")
            }
            do {
                try snapshot.add(yaml: text, file: input.name)
            } catch {
                throw fatal("\(error)")
            }
        }
        for problem in snapshot.problems { warn(problem) }

        let identity: PodIdentity
        if let pod {
            let parts = pod.split(separator: "/", maxSplits: 1).map(String.init)
            let (podNamespace, podName) = parts.count == 2 ? (parts[0], parts[1]) : (namespace ?? "default", parts[0])
            guard let found = snapshot.pod(namespace: podNamespace, name: podName) else {
                throw fatal("Pod \(podNamespace)/\(podName) is not in the given manifests")
            }
            identity = PodIdentity(found)
        } else {
            do {
                identity = PodIdentity(
                    namespace: namespace ?? "default",
                    labels: try SimulateCommand.parseLabels(labels ?? "")
                )
            } catch {
                throw fatal("\(error)")
            }
        }
        let simulation = SimulateCommand.simulate(identity, in: snapshot, systemNamespace: systemNamespace)
        print(output == .json ? SimulateCommand.json(simulation) : SimulateCommand.text(simulation), terminator: "")
        if simulation.exitCode != 0 { throw ExitCode(simulation.exitCode) }
    }

    private func warn(_ message: String) {
        FileHandle.standardError.write(Data("kubemailctl simulate: warning: \(message)\n".utf8))
    }

    private func fail(_ message: String) {
        FileHandle.standardError.write(Data("kubemailctl simulate: \(message)\n".utf8))
    }

    private func fatal(_ message: String) -> ExitCode {
        fail(message)
        return ExitCode(2)
    }
}
