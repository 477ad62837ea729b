import Foundation
import KubeMailAPI
import KubeMailPolicy

/// `kubemailctl simulate`: which policy a Pod gets, why, and what the relay would do with its mail.
public enum SimulateCommand {
    /// The answer to "what happens to mail from this Pod?", with the reasoning.
    public struct Simulation: Sendable {
        public var pod: PodIdentity
        public var explanation: PolicyExplanation
        public var decision: MailDecision

        /// 0 when the mail would be delivered, 1 when it would be refused.
        public var exitCode: Int32 {
            if case .deliver = decision { return 0 }
            return 1
        }
    }

    public static func simulate(
        _ pod: PodIdentity,
        in snapshot: ManifestSnapshot,
        systemNamespace: String
    ) -> Simulation {
        let resolver = PolicyResolver(systemNamespace: systemNamespace)
        return Simulation(
            pod: pod,
            explanation: resolver.explain(podIn: pod.namespace, labels: pod.labels, inventory: snapshot.inventory),
            decision: resolver.decide(for: pod, inventory: snapshot.inventory)
        )
    }

    /// Parses `k=v,k2=v2` as `--labels` takes it.
    public static func parseLabels(_ text: String) throws(FieldError) -> [String: String] {
        var labels: [String: String] = [:]
        for entry in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw FieldError.invalid("--labels", String(entry), "write labels as key=value, separated by commas")
            }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            if let problem = NameValidation.qualifiedName(key).first {
                throw FieldError.invalid("--labels", key, problem)
            }
            if let problem = NameValidation.labelValue(value).first {
                throw FieldError.invalid("--labels", value, problem)
            }
            labels[key] = value
        }
        return labels
    }

    // MARK: - Text

    public static func text(_ simulation: Simulation) -> String {
        let pod = simulation.pod
        var lines: [String] = []
        let labels = pod.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        lines.append(
            "Pod:         \(pod.name.map { "\(pod.namespace)/\($0)" } ?? "(described by labels) in namespace \(pod.namespace)")"
        )
        lines.append("Labels:       \(labels.isEmpty ? "(none)" : labels)")
        lines.append("")
        lines.append("Candidate policies:")
        if simulation.explanation.candidates.isEmpty {
            lines.append(
                "  (none: namespace \(pod.namespace) has no EmailPolicy, and the system namespace no default policy)"
            )
        }
        for candidate in simulation.explanation.candidates {
            let marker = candidate.name == simulation.explanation.winner?.name ? "→" : " "
            lines.append("  \(marker) \(candidate.name): \(describe(candidate, labels: pod.labels))")
        }
        lines.append("")
        if let winner = simulation.explanation.winner, let reason = simulation.explanation.reason {
            lines.append("Policy:       \(winner.name) (\(reason))")
        } else {
            lines.append("Policy:       none")
        }
        switch simulation.decision {
        case .deliver(let plan):
            lines += describe(plan).map { "\($0.0.padding(toLength: 14, withPad: " ", startingAt: 0))\($0.1)" }
            lines.append("Result:       deliver: the relay accepts mail from this Pod")
        case .refuse(let refusal):
            lines.append("Result:       refuse (\(refusal.reason)): the relay answers \(refusal.smtpReply)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func describe(_ candidate: PolicyExplanation.Candidate, labels: [String: String]) -> String {
        let isDefault = candidate.policy.spec.effectiveIsDefault
        switch candidate.verdict {
        case .matched:
            let count = candidate.policy.spec.podSelector?.requirementCount ?? 0
            return count == 0
                ? "matches (empty selector: every Pod)" : "matches (\(count) requirement\(count == 1 ? "" : "s"))"
        case .notSelected(let requirement):
            return "does not select the Pod: \(requirement) fails (\(why(requirement, fails: labels)))"
                + (isDefault ? "; it is a default policy" : "")
        case .noSelector:
            return isDefault
                ? "no podSelector; the namespace's default policy" : "no podSelector and not a default: never applies"
        case .fallback:
            return "default policy of the system namespace"
        }
    }

    static func why(_ requirement: LabelSelectorRequirement, fails labels: [String: String]) -> String {
        guard let value = labels[requirement.key] else { return "the Pod has no label \(requirement.key)" }
        if requirement.operator == .doesNotExist { return "the Pod has the label \(requirement.key)=\(value)" }
        return "the Pod has \(requirement.key)=\(value)"
    }

    static func describe(_ plan: DeliveryPlan) -> [(String, String)] {
        var rows: [(String, String)] = []
        switch plan.sink {
        case .smtp(let server, let credentials):
            let spec = server.spec
            rows.append(("Sink:", "smtp: SMTPServer \(server.qualifiedName)"))
            rows.append(("Server:", "\(spec.server):\(spec.effectivePort), connect \(spec.effectiveConnect.rawValue)"))
            rows.append(
                (
                    "Mechanism:",
                    credentials == nil
                        ? "none (unauthenticated delivery)"
                        : spec.authType.map { "\($0.rawValue) (required)" }
                            ?? "the strongest offered: SCRAM-SHA-256 > SCRAM-SHA-1 > CRAM-MD5 > PLAIN > LOGIN"
                )
            )
            rows.append(("Credentials:", credentials.map { "\($0) with username and password" } ?? "none"))
        case .catchStore(let retention):
            rows.append(("Sink:", "catch: kube-mail's store, kept \(retention)"))
        case .discard:
            rows.append(("Sink:", "discard: accepted, counted and dropped"))
        }
        rows.append(("Rate limit:", plan.rateLimit?.summary ?? "unlimited"))
        return rows
    }

    // MARK: - JSON

    public static func json(_ simulation: Simulation) -> String {
        var document: [String: JSONValue] = [:]
        let pod = simulation.pod
        document["pod"] = .object(
            [
                "namespace": .string(pod.namespace), "name": pod.name.map(JSONValue.string) ?? .null,
                "labels": .object(pod.labels.mapValues(JSONValue.string)), "hostNetwork": .bool(pod.hostNetwork),
            ])
        document["candidates"] = .array(
            simulation.explanation.candidates.map { candidate in
                var entry: [String: JSONValue] = [
                    "policy": .string(candidate.name), "origin": .string(candidate.origin.rawValue),
                    "default": .bool(candidate.policy.spec.effectiveIsDefault),
                    "requirements": .integer(candidate.policy.spec.podSelector?.requirementCount ?? 0),
                    "winner": .bool(candidate.name == simulation.explanation.winner?.name),
                ]
                switch candidate.verdict {
                case .matched: entry["verdict"] = "matched"
                case .noSelector: entry["verdict"] = "noSelector"
                case .fallback: entry["verdict"] = "systemDefault"
                case .notSelected(let requirement):
                    entry["verdict"] = "notSelected"
                    entry["failedRequirement"] = .string(requirement.description)
                    entry["why"] = .string(why(requirement, fails: pod.labels))
                }
                return .object(entry)
            }
        )
        document["policy"] = simulation.explanation.winner.map { .string($0.name) } ?? .null
        document["reason"] = simulation.explanation.reason.map { .string($0.description) } ?? .null
        switch simulation.decision {
        case .deliver(let plan):
            document["result"] = "deliver"
            document["rateLimit"] = plan.rateLimit.map { .string($0.summary) } ?? .null
            switch plan.sink {
            case .smtp(let server, let credentials):
                document["sink"] = [
                    "type": "smtp", "server": .string(server.qualifiedName), "host": .string(server.spec.server),
                    "port": .integer(server.spec.effectivePort),
                    "connect": .string(server.spec.effectiveConnect.rawValue),
                    "mechanism": credentials == nil
                        ? .null : server.spec.authType.map { .string($0.rawValue) } ?? "strongest-offered",
                    "credentials": credentials.map { .string("\($0.secretNamespace)/\($0.secretName)") } ?? .null,
                ]
            case .catchStore(let retention):
                document["sink"] = ["type": "catch", "retention": .string(retention.text)]
            case .discard:
                document["sink"] = ["type": "discard"]
            }
        case .refuse(let refusal):
            document["result"] = "refuse"
            document["refusal"] = [
                "reason": .string(refusal.reason), "message": .string(refusal.message),
                "reply": .string(refusal.smtpReply),
            ]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(JSONValue.object(document)), as: UTF8.self)).map { $0 + "\n" }
            ?? "{}\n"
    }
}
