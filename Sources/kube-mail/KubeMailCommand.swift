import ArgumentParser
import KubeMailAPI

@main
struct KubeMailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-mail",
        abstract: "kube-mail: a policy-based SMTP relay for Kubernetes.",
        discussion: """
            Pods send mail to kube-mail without credentials; the relay identifies the sending Pod by its \
            source IP, applies the EmailPolicy that selects it and delivers to the policy's sink.
            """,
        version: KubeMailVersion.current,
        subcommands: [Sink.self]
    )
}
