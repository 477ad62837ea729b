import Foundation
import KubeMailAPI
import KubeMailCtl
import KubeMailPolicy
import Testing
import Yams

/// The simulation table: the precedence and refusal rules of SPEC §2 and §3 as data, run through
/// the shared resolver exactly as `kubemailctl simulate` runs it. The relay's end-to-end tests
/// use the same files.
struct SimulationTableTests {
    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        var name: String
        var namespace: String
        var labels: [String: String]
        var hostNetwork: Bool?
        var phase: String?
        var systemNamespace: String?
        var policy: String
        var why: String?
        var result: String
        var sink: String?
        var reason: String?
        var failed: [String: String]?

        var testDescription: String { name }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let cases: [Case] = {
        guard let text = try? String(contentsOf: fixtures.appendingPathComponent("cases.yaml"), encoding: .utf8) else {
            return []
        }
        return (try? YAMLDecoder().decode([Case].self, from: text)) ?? []
    }()

    static func snapshot() throws -> ManifestSnapshot {
        var snapshot = ManifestSnapshot()
        let text = try String(contentsOf: fixtures.appendingPathComponent("cluster.yaml"), encoding: .utf8)
        try snapshot.add(yaml: text, file: "cluster.yaml")
        return snapshot
    }

    @Test func tableIsComplete() throws {
        #expect(Self.cases.count >= 25)
        #expect(try Self.snapshot().problems.isEmpty)
        let reasons = Set(Self.cases.compactMap(\.reason))
        #expect(
            reasons.isSuperset(of: [
                "NoPolicy", "ServerNotFound", "SecretNotFound", "SecretKeyMissing", "RefNotPermitted", "HostNetworkPod",
            ])
        )
        let whys = Set(Self.cases.compactMap(\.why))
        #expect(whys == ["onlyMatch", "mostSpecific", "nameBreaksTie", "namespaceDefault", "systemDefault"])
    }

    @Test(arguments: cases)
    func simulate(_ testCase: Case) throws {
        let pod = PodIdentity(
            namespace: testCase.namespace,
            labels: testCase.labels,
            hostNetwork: testCase.hostNetwork ?? false,
            phase: testCase.phase
        )
        let simulation = SimulateCommand.simulate(
            pod,
            in: try Self.snapshot(),
            systemNamespace: testCase.systemNamespace ?? "kube-mail"
        )
        #expect((simulation.explanation.winner?.name ?? "") == testCase.policy)
        if let why = testCase.why {
            #expect(simulation.explanation.reason.map(Self.name) == why)
        }
        switch simulation.decision {
        case .deliver(let plan):
            #expect(testCase.result == "deliver", "delivered, expected a refusal (\(testCase.reason ?? ""))")
            #expect(Self.sinkName(plan.sink) == testCase.sink)
            #expect(simulation.exitCode == 0)
        case .refuse(let refusal):
            #expect(testCase.result == "refuse", "refused: \(refusal)")
            #expect(refusal.reason == testCase.reason)
            #expect(refusal.smtpReply.hasPrefix("554 5.7.1 "))
            #expect(simulation.exitCode == 1)
        }
        for (policy, key) in testCase.failed ?? [:] {
            let candidate = simulation.explanation.candidates.first { $0.name == policy }
            guard case .notSelected(let requirement) = candidate?.verdict else {
                Issue.record(
                    "\(policy) should not select the Pod, but its verdict is \(String(describing: candidate?.verdict))"
                )
                continue
            }
            #expect(requirement.key == key)
        }
        // The relay's fast path picks the same winner as the explanation.
        let resolver = PolicyResolver(systemNamespace: testCase.systemNamespace ?? "kube-mail")
        let fast = resolver.policy(
            forPodIn: testCase.namespace,
            labels: testCase.labels,
            inventory: try Self.snapshot().inventory
        )
        #expect(fast?.qualifiedName ?? "" == testCase.policy)
    }

    static func name(_ reason: PolicyExplanation.Reason) -> String {
        switch reason {
        case .onlyMatch: "onlyMatch"
        case .mostSpecific: "mostSpecific"
        case .nameBreaksTie: "nameBreaksTie"
        case .namespaceDefault: "namespaceDefault"
        case .systemDefault: "systemDefault"
        }
    }

    static func sinkName(_ sink: DeliveryPlan.Sink) -> String {
        switch sink {
        case .smtp: "smtp"
        case .catchStore: "catch"
        case .discard: "discard"
        }
    }

    @Test func credentialsAreResolvedAndNeverPrinted() throws {
        let pod = PodIdentity(namespace: "shop", labels: ["app": "web"])
        let simulation = SimulateCommand.simulate(pod, in: try Self.snapshot(), systemNamespace: "kube-mail")
        guard case .deliver(let plan) = simulation.decision, case .smtp(_, let credentials?) = plan.sink else {
            Issue.record("expected smtp delivery with credentials")
            return
        }
        #expect(credentials.username == "shop" && credentials.password == "secret-shop")
        #expect(!SimulateCommand.text(simulation).contains("secret-shop"))
        #expect(!SimulateCommand.json(simulation).contains("secret-shop"))
        #expect(!"\(plan)".contains("secret-shop"))
    }
}
