import Foundation
import Testing

@testable import KubeTestServer

/// The real kubectl (v1.32) as the referee: the same scenario over plain HTTP and over HTTPS
/// with a token, plus client-certificate authentication.
@Suite(.serialized) struct KubectlConformanceTests {
    static let namespaces = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: staging
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: mail
        """

    @Test func conformanceOverHTTP() async throws {
        let server = try await KubeTestServer.start()
        do {
            try await Self.scenario(server: server, kubectl: try Kubectl(kubeconfig: try server.kubeconfig()))
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test func conformanceOverHTTPSWithToken() async throws {
        let certificates = try TestCertificates.generate()
        let server = try await KubeTestServer.start(
            KubeTestServer.Configuration(tls: .init(certificates), tokens: ["test-token": "tester"])
        )
        do {
            #expect(server.url.hasPrefix("https://127.0.0.1:"))
            let kubectl = try Kubectl(kubeconfig: try server.kubeconfig(token: "test-token"))
            try await Self.scenario(server: server, kubectl: kubectl)
            #expect(server.requests.allSatisfy { $0.user == "tester" })

            let wrong = try Kubectl(kubeconfig: try server.kubeconfig(token: "wrong-token"))
            let refused = try await wrong.run(["get", "namespaces"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("You must be logged in to the server"), "\(refused.stderr)")
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test func clientCertificateAuthentication() async throws {
        let certificates = try TestCertificates.generate()
        let client = try certificates.makeClientCertificate(commonName: "jane")
        let server = try await KubeTestServer.start(
            KubeTestServer.Configuration(tls: .init(certificates), tokens: ["other": "someone"])
        )
        do {
            let kubectl = try Kubectl(
                kubeconfig: try server.kubeconfig(
                    clientCertificatePath: client.certificatePath,
                    clientKeyPath: client.keyPath
                )
            )
            let output = try await kubectl.succeed(["get", "namespaces", "-o", "name"])
            #expect(output.contains("namespace/default"))
            #expect(server.requests.last?.user == "jane")
            let anonymous = try Kubectl(kubeconfig: try server.kubeconfig())
            let refused = try await anonymous.run(["get", "namespaces"])
            #expect(refused.status != 0)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    /// Everything the project's tests rely on, checked through kubectl's own output.
    static func scenario(server: RunningServer, kubectl: Kubectl) async throws {
        // CRDs and namespaces.
        let crds = try await kubectl.succeed(["apply", "-f", TestFixtures.crdDirectory.path])
        #expect(
            crds.contains("customresourcedefinition.apiextensions.k8s.io/emailpolicies.kube-mail.helmich.me created")
        )
        try await kubectl.succeed(["apply", "-f", "-"], stdin: namespaces)

        // A sample, and its printer columns once a controller has written status.
        let sample = TestFixtures.samplesDirectory.appendingPathComponent("emailpolicy-ratelimit-messages.yaml").path
        let missingNamespace = try await kubectl.run(["apply", "-f", sample])
        #expect(missingNamespace.stderr.contains("namespaces \"marketing\" not found"), "\(missingNamespace.stderr)")
        try await kubectl.succeed(
            ["apply", "-f", "-"],
            stdin: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: marketing\n"
        )
        let applied = try await kubectl.succeed(["apply", "-f", sample])
        #expect(applied.contains("emailpolicy.kube-mail.helmich.me/newsletter created"))
        let policies = try #require(
            server.cluster.resource(group: "kube-mail.helmich.me", version: "v1alpha1", plural: "emailpolicies")
        )
        try server.cluster.updateStatus(
            policies,
            namespace: "marketing",
            name: "newsletter",
            status: [
                "conditions": [
                    [
                        "type": "Ready", "status": "True", "reason": "Delivering", "message": "ok",
                        "lastTransitionTime": "2024-01-01T00:00:00Z",
                    ]
                ],
                "rateLimit": "1000 messages/hour", "matchedPods": 3,
            ]
        )
        let table = try await kubectl.succeed(["get", "emailpolicies", "-n", "marketing"])
        let lines = table.split(separator: "\n").map(String.init)
        #expect(
            lines.first?.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                == "NAME READY SERVER RATE LIMIT PODS AGE",
            "\(table)"
        )
        #expect(lines.count == 2)
        #expect(
            lines.last?.split(separator: " ", omittingEmptySubsequences: true).prefix(6).joined(separator: " ")
                == "newsletter True transactional 1000 messages/hour 3",
            "\(table)"
        )

        // A schema violation, refused with kubectl's usual message.
        let invalid = try await kubectl.run(
            ["apply", "-f", "-"],
            stdin: """
                apiVersion: kube-mail.helmich.me/v1alpha1
                kind: SMTPServer
                metadata:
                  name: broken
                  namespace: mail
                spec:
                  server: smtp.example.com
                  port: 0
                """
        )
        #expect(invalid.status != 0)
        #expect(
            invalid.stderr.contains(
                "The SMTPServer \"broken\" is invalid: spec.port: Invalid value: 0: spec.port in body should be greater than or equal to 1"
            ),
            "\(invalid.stderr)"
        )
        let unknown = try await kubectl.run(
            ["apply", "-f", "-"],
            stdin:
                "apiVersion: kube-mail.helmich.me/v1alpha1\nkind: SMTPServer\nmetadata:\n  name: typo\n  namespace: mail\nspec:\n  server: x\n  port: 25\n  hostname: y\n"
        )
        #expect(unknown.stderr.contains("strict decoding error: unknown field \"spec.hostname\""), "\(unknown.stderr)")

        // get -o yaml.
        let yaml = try await kubectl.succeed(["get", "emailpolicy", "newsletter", "-n", "marketing", "-o", "yaml"])
        let object = try YAMLDocuments.parseSingle(yaml)
        #expect(object[path: ["spec", "ratelimiting", "unit"]] == "messages")
        #expect(object[path: ["spec", "default"]] == false, "defaulted from the schema")
        #expect(object[path: ["metadata", "generation"]] == 1)
        #expect(object[path: ["status", "matchedPods"]] == 3)

        // A watch sees ADDED, MODIFIED and DELETED.
        let watch = try kubectl.background(["get", "emailpolicies", "-n", "staging", "-w", "--output-watch-events"])
        do {
            try await waitUntil { server.cluster.activeWatchCount >= 1 }
            try await kubectl.succeed([
                "apply", "-f", TestFixtures.samplesDirectory.appendingPathComponent("emailpolicy-catch.yaml").path,
            ])
            try await kubectl.succeed(["label", "emailpolicy", "staging-catch", "-n", "staging", "team=payments"])
            try await kubectl.succeed(["delete", "emailpolicy", "staging-catch", "-n", "staging", "--wait=false"])
            try await watch.waitForOutput { $0.contains("DELETED") }
        } catch {
            watch.stop()
            throw error
        }
        watch.stop()
        try await waitUntil { server.cluster.activeWatchCount == 0 }
        let events = watch.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(
            events.contains("ADDED") && events.contains("MODIFIED") && events.contains("DELETED"),
            "\(watch.output)"
        )

        // label, and set-based label selectors.
        for sample in ["emailpolicy-select-all.yaml", "emailpolicy-discard.yaml"] {
            let namespace = sample == "emailpolicy-discard.yaml" ? "perf" : "intranet"
            try await kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \(namespace)\n"
            )
            try await kubectl.succeed([
                "apply", "-f", TestFixtures.samplesDirectory.appendingPathComponent(sample).path,
            ])
        }
        try await kubectl.succeed(["label", "emailpolicy", "everyone", "-n", "intranet", "tier=gold"])
        try await kubectl.succeed(["label", "emailpolicy", "loadtest", "-n", "perf", "tier=bronze", "legacy=yes"])
        let gold = try await kubectl.succeed([
            "get", "emailpolicies", "-A", "-l", "tier in (gold,silver),!legacy", "-o", "name",
        ])
        #expect(gold.split(separator: "\n") == ["emailpolicy.kube-mail.helmich.me/everyone"])
        let notGold = try await kubectl.succeed([
            "get", "emailpolicies", "-A", "-l", "tier notin (gold),tier", "-o", "name",
        ])
        #expect(notGold.split(separator: "\n") == ["emailpolicy.kube-mail.helmich.me/loadtest"])

        // patch: merge and json on a custom resource, strategic on a built-in kind.
        try await kubectl.succeed([
            "patch", "emailpolicy", "everyone", "-n", "intranet", "--type", "merge", "-p",
            #"{"spec":{"ratelimiting":{"maximum":7}}}"#,
        ])
        try await kubectl.succeed([
            "patch", "emailpolicy", "everyone", "-n", "intranet", "--type", "json", "-p",
            #"[{"op":"replace","path":"/spec/ratelimiting/maximum","value":8}]"#,
        ])
        let patched = try await kubectl.succeed([
            "get", "emailpolicy", "everyone", "-n", "intranet", "-o",
            "jsonpath={.spec.ratelimiting.maximum} {.spec.ratelimiting.period} {.metadata.generation}",
        ])
        #expect(patched == "8 minute 3")
        let badPatch = try await kubectl.run([
            "patch", "emailpolicy", "everyone", "-n", "intranet", "--type", "merge", "-p",
            #"{"spec":{"ratelimiting":{"maximum":0}}}"#,
        ])
        #expect(
            badPatch.stderr.contains("spec.ratelimiting.maximum in body should be greater than or equal to 1"),
            "\(badPatch.stderr)"
        )

        try await kubectl.succeed(
            ["apply", "-f", "-"],
            stdin: """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  namespace: default
                  labels:
                    app: web
                spec:
                  containers:
                  - name: app
                    image: nginx
                    env:
                    - name: A
                      value: "1"
                """
        )
        let podChange = try await kubectl.run([
            "patch", "pod", "web", "--type", "strategic", "-p",
            #"{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"2"}]}]}}"#,
        ])
        #expect(
            podChange.stderr.contains("spec: Forbidden: pod updates may not change fields other than"),
            "\(podChange.stderr)"
        )
        try await kubectl.succeed(
            ["apply", "-f", "-"],
            stdin: """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: relay
                  namespace: default
                spec:
                  replicas: 2
                  selector:
                    matchLabels:
                      app: relay
                  template:
                    metadata:
                      labels:
                        app: relay
                    spec:
                      containers:
                      - name: relay
                        image: kube-mail:1
                        env:
                        - name: A
                          value: "1"
                      - name: metrics
                        image: exporter:1
                """
        )
        try await kubectl.succeed([
            "patch", "deployment", "relay", "--type", "strategic", "-p",
            #"{"spec":{"template":{"spec":{"containers":[{"name":"relay","env":[{"name":"B","value":"2"}]}]}}}}"#,
        ])
        let env = try await kubectl.succeed([
            "get", "deployment", "relay", "-o",
            "jsonpath={.spec.template.spec.containers[*].name} {.spec.template.spec.containers[0].env[*].name} {.metadata.generation}",
        ])
        #expect(env == "relay metrics A B 2")
        let typo = try await kubectl.run(
            ["apply", "-f", "-"],
            stdin:
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: typo\n  namespace: default\nspec:\n  replica: 2\n"
        )
        #expect(
            typo.stderr.contains(
                "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\""
            ),
            "\(typo.stderr)"
        )
        let deployments = try await kubectl.succeed(["get", "deployments"])
        #expect(deployments.hasPrefix("NAME    READY   UP-TO-DATE   AVAILABLE   AGE\nrelay   0/2"), "\(deployments)")

        // Field selectors on pods.
        try server.cluster.updateStatus(
            BuiltinResources.pod,
            namespace: "default",
            name: "web",
            status: ["phase": "Running", "podIP": "10.0.0.7"]
        )
        let byIP = try await kubectl.succeed(["get", "pods", "--field-selector", "status.podIP=10.0.0.7", "-o", "name"])
        #expect(byIP == "pod/web\n")
        let none = try await kubectl.succeed([
            "get", "pods", "--field-selector", "status.podIP=10.0.0.8,status.phase=Running", "-o", "name",
        ])
        #expect(none.isEmpty)

        // Server-side apply, and the conflict a second field manager gets.
        let ssa =
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  relay: smtp.example.com\n"
        let ssaResult = try await kubectl.succeed(["apply", "--server-side", "-f", "-"], stdin: ssa)
        #expect(ssaResult.contains("configmap/settings serverside-applied"))
        let conflict = try await kubectl.run(
            ["apply", "--server-side", "--field-manager", "operator", "-f", "-"],
            stdin: ssa.replacingOccurrences(of: "smtp.example.com", with: "smtp.other.com")
        )
        #expect(conflict.status != 0)
        #expect(
            conflict.stderr.contains("Apply failed with 1 conflict: conflict with \"kubectl\": .data.relay"),
            "\(conflict.stderr)"
        )
        try await kubectl.succeed(
            ["apply", "--server-side", "--field-manager", "operator", "--force-conflicts", "-f", "-"],
            stdin: ssa.replacingOccurrences(of: "smtp.example.com", with: "smtp.other.com")
        )
        let managed = try await kubectl.succeed(["get", "configmap", "settings", "-o", "json", "--show-managed-fields"])
        let managers = try JSONParser.parse(managed)[path: ["metadata", "managedFields"]]?.arrayValue?.compactMap {
            $0["manager"]?.stringValue
        }
        #expect(managers == ["operator"])

        // Deletion held by a finalizer until it is removed.
        try await kubectl.succeed(
            ["apply", "-f", "-"],
            stdin:
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: default\n  finalizers:\n  - kube-mail.helmich.me/cleanup\n"
        )
        try await kubectl.succeed(["delete", "configmap", "held", "--wait=false"])
        let marked = try await kubectl.succeed([
            "get", "configmap", "held", "-o", "jsonpath={.metadata.deletionTimestamp}",
        ])
        #expect(!marked.isEmpty)
        try await kubectl.succeed([
            "patch", "configmap", "held", "--type", "json", "-p", #"[{"op":"remove","path":"/metadata/finalizers"}]"#,
        ])
        let gone = try await kubectl.run(["get", "configmap", "held"])
        #expect(gone.stderr.contains("configmaps \"held\" not found"), "\(gone.stderr)")

        // logs -f follows until the log is closed.
        server.appendLog(namespace: "default", pod: "web", container: "app", line: "220 ready")
        let logs = try kubectl.background(["logs", "-f", "web"])
        do {
            try await logs.waitForOutput { $0.contains("220 ready") }
            server.appendLog(namespace: "default", pod: "web", container: "app", line: "250 delivered")
            try await logs.waitForOutput { $0.contains("250 delivered") }
            server.closeLog(namespace: "default", pod: "web")
            try await logs.waitForExit()
        } catch {
            logs.stop()
            throw error
        }
        logs.stop()
        #expect(logs.output == "220 ready\n250 delivered\n")

        // Owner-reference cascade.
        let owner = try await kubectl.succeed(
            ["apply", "-f", "-", "-o", "jsonpath={.metadata.uid}"],
            stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owner\n  namespace: default\n"
        )
        try await kubectl.succeed(
            ["apply", "-f", "-"],
            stdin: """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: dependent
                  namespace: default
                  ownerReferences:
                  - apiVersion: v1
                    kind: ConfigMap
                    name: owner
                    uid: \(owner)
                stringData:
                  password: x
                """
        )
        try await kubectl.succeed(["delete", "configmap", "owner"])
        try await waitUntil {
            (try? server.cluster.get(BuiltinResources.secret, namespace: "default", name: "dependent")) == nil
        }
        let dependent = try await kubectl.run(["get", "secret", "dependent"])
        #expect(dependent.status != 0)

        // explain, from the served OpenAPI v3 documents.
        let explain = try await kubectl.succeed(["explain", "emailpolicy.spec"])
        #expect(explain.contains("KIND:       EmailPolicy"))
        #expect(explain.contains("FIELD: spec <Object>"))
        #expect(explain.contains("podSelector"))
    }
}
