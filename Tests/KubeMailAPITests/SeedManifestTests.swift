import Testing

@testable import KubeMailAPI

/// The manifests of the original TypeScript kube-mail's README must keep working unchanged.
struct SeedManifestTests {
    @Test func smtpServerWithDeprecatedTLS() throws {
        let server = try ManifestCodec.decode(
            SMTPServer.self,
            yaml: """
                apiVersion: kube-mail.helmich.me/v1alpha1
                kind: SMTPServer
                metadata:
                  name: default
                spec:
                  server: smtp.yourserver.example
                  port: 465
                  tls: true
                  authType: PLAIN
                """
        )
        #expect(server.metadata.name == "default")
        #expect(server.spec.server == "smtp.yourserver.example")
        #expect(server.spec.effectivePort == 465)
        #expect(server.spec.effectiveConnect == .ssl)
        #expect(server.spec.authType == .plain)
        #expect(server.validate().isEmpty)
    }

    @Test func forwardingPolicy() throws {
        let policy = try ManifestCodec.decode(
            EmailPolicy.self,
            yaml: """
                apiVersion: kube-mail.helmich.me/v1alpha1
                kind: EmailPolicy
                metadata:
                  name: my-policy
                spec:
                  podSelector:
                    matchLabels:
                      app.kubernetes.io/name: my-name
                  ratelimiting:
                    maximum: 100
                    period: hour
                  sink:
                    smtp:
                      server:
                        name: default
                        namespace: default
                      credentials:
                        name: default-credentials
                        namespace: default
                """
        )
        #expect(policy.spec.podSelector?.matchLabels == ["app.kubernetes.io/name": "my-name"])
        #expect(policy.spec.rateLimiting == .init(maximum: 100, period: .hour))
        #expect(policy.spec.sink.smtp?.server == ResourceReference(name: "default", namespace: "default"))
        #expect(
            policy.spec.sink.smtp?.credentials == ResourceReference(name: "default-credentials", namespace: "default")
        )
        #expect(policy.validate().isEmpty)
    }

    @Test func mailCatcherHowTo() throws {
        let objects = try KubeMailObject.decodeAll(
            yaml: """
                apiVersion: kube-mail.helmich.me/v1alpha1
                kind: SMTPServer
                metadata:
                  name: mailhog
                  namespace: kube-system
                spec:
                  server: mailhog.kubemail-system.svc.cluster.local
                  port: 1025
                  tls: false
                ---
                apiVersion: kube-mail.helmich.me/v1alpha1
                kind: EmailPolicy
                metadata:
                  name: pod-to-mailhog
                  namespace: default # needs to be same namespace as Pod
                spec:
                  podSelector:
                    matchLabels:
                      app.kubernetes.io/name: my-name
                  sink:
                    smtp:
                      server: # server may be in a different namespace than policy
                        name: mailhog
                        namespace: kube-system
                """
        )
        guard case .smtpServer(let server) = objects.first, case .emailPolicy(let policy) = objects.last else {
            Issue.record("expected an SMTPServer and an EmailPolicy, got \(objects)")
            return
        }
        #expect(server.spec.effectiveConnect == .plain)
        #expect(policy.spec.sink.smtp?.credentials == nil)
        #expect(policy.spec.sink.smtp?.server.resolvedNamespace(from: "default") == "kube-system")
        #expect(objects.allSatisfy { $0.validate().isEmpty })
    }
}
