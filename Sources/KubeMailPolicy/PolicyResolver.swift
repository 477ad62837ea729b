import KubeMailAPI

/// Decides which EmailPolicy applies to a Pod. This is the one implementation of "which policy
/// wins", used by the relay, the operator, `kubemailctl simulate` and `lint`.
///
/// Among the policies of the Pod's namespace whose selector matches, the one with the most
/// selector requirements wins; ties go to the lexically smallest name. When none matches, the
/// namespace's default policy applies, then a default policy of the system namespace (kube-mail's
/// own). Several defaults in one place are resolved by name as well.
public struct PolicyResolver: Sendable {
    /// The namespace whose default policies are the fallback for every namespace.
    public var systemNamespace: String

    public init(systemNamespace: String) {
        self.systemNamespace = systemNamespace
    }

    /// The precedence of two policies that both select a Pod: more requirements, then smaller name.
    public static func precedes(_ lhs: EmailPolicy, _ rhs: EmailPolicy) -> Bool {
        let left = lhs.spec.podSelector?.requirementCount ?? 0
        let right = rhs.spec.podSelector?.requirementCount ?? 0
        if left != right { return left > right }
        return (lhs.metadata.name ?? "") < (rhs.metadata.name ?? "")
    }

    /// The winning policy for a Pod, or nil when no policy applies.
    public func policy(
        forPodIn namespace: String,
        labels: [String: String],
        inventory: some PolicyInventory
    ) -> EmailPolicy? {
        let own = inventory.policies(inNamespace: namespace)
        var best: EmailPolicy?
        for policy in own where policy.spec.podSelector?.matches(labels) == true {
            if best.map({ Self.precedes(policy, $0) }) ?? true { best = policy }
        }
        return best ?? Self.firstDefault(own) ?? Self.firstDefault(systemDefaults(for: namespace, inventory: inventory))
    }

    /// Every candidate policy with its verdict, the winner and why: what `simulate` shows.
    public func explain(
        podIn namespace: String,
        labels: [String: String],
        inventory: some PolicyInventory
    ) -> PolicyExplanation {
        let own = inventory.policies(inNamespace: namespace).sorted(by: Self.precedes)
        var candidates = own.map { policy in
            PolicyExplanation.Candidate(
                policy: policy,
                origin: .namespace,
                verdict: Self.verdict(of: policy, for: labels)
            )
        }
        candidates += systemDefaults(for: namespace, inventory: inventory).sorted(by: Self.precedes).map {
            PolicyExplanation.Candidate(policy: $0, origin: .systemDefault, verdict: .fallback)
        }
        let matching = candidates.filter { $0.verdict == .matched }
        if let winner = matching.first {
            let others = matching.dropFirst().map(\.name)
            let requirements = winner.policy.spec.podSelector?.requirementCount ?? 0
            let tied = matching.dropFirst().contains {
                ($0.policy.spec.podSelector?.requirementCount ?? 0) == requirements
            }
            let reason: PolicyExplanation.Reason =
                others.isEmpty
                ? .onlyMatch
                : tied
                    ? .nameBreaksTie(requirements: requirements, over: others)
                    : .mostSpecific(requirements: requirements, over: others)
            return PolicyExplanation(candidates: candidates, winner: winner, reason: reason)
        }
        let namespaceDefaults = candidates.filter { $0.origin == .namespace && $0.policy.spec.effectiveIsDefault }
            .sorted { ($0.policy.metadata.name ?? "") < ($1.policy.metadata.name ?? "") }
        if let winner = namespaceDefaults.first {
            return PolicyExplanation(
                candidates: candidates,
                winner: winner,
                reason: .namespaceDefault(others: namespaceDefaults.dropFirst().map(\.name))
            )
        }
        let systemDefaults = candidates.filter { $0.origin == .systemDefault }
            .sorted { ($0.policy.metadata.name ?? "") < ($1.policy.metadata.name ?? "") }
        if let winner = systemDefaults.first {
            return PolicyExplanation(
                candidates: candidates,
                winner: winner,
                reason: .systemDefault(others: systemDefaults.dropFirst().map(\.name))
            )
        }
        return PolicyExplanation(candidates: candidates, winner: nil, reason: nil)
    }

    private func systemDefaults(for namespace: String, inventory: some PolicyInventory) -> [EmailPolicy] {
        guard namespace != systemNamespace else { return [] }
        return inventory.policies(inNamespace: systemNamespace).filter(\.spec.effectiveIsDefault)
    }

    private static func firstDefault(_ policies: [EmailPolicy]) -> EmailPolicy? {
        policies.filter(\.spec.effectiveIsDefault).min { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    }

    private static func verdict(of policy: EmailPolicy, for labels: [String: String]) -> PolicyExplanation.Verdict {
        guard let selector = policy.spec.podSelector else { return .noSelector }
        if let failed = selector.requirements.first(where: { !$0.matches(labels) }) {
            return .notSelected(failedRequirement: failed)
        }
        return .matched
    }
}

/// Why a policy applies to a Pod, or why none does.
public struct PolicyExplanation: Hashable, Sendable {
    public enum Origin: String, Hashable, Sendable {
        /// A policy of the Pod's own namespace.
        case namespace
        /// A default policy of the system namespace.
        case systemDefault
    }

    public enum Verdict: Hashable, Sendable {
        case matched
        /// The first requirement of the selector that the Pod's labels fail.
        case notSelected(failedRequirement: LabelSelectorRequirement)
        /// The policy has no podSelector: it selects no Pod by itself.
        case noSelector
        /// A system-namespace default, considered only when the namespace has no policy of its own.
        case fallback
    }

    public enum Reason: Hashable, Sendable {
        case onlyMatch
        case mostSpecific(requirements: Int, over: [String])
        case nameBreaksTie(requirements: Int, over: [String])
        case namespaceDefault(others: [String])
        case systemDefault(others: [String])
    }

    public struct Candidate: Hashable, Sendable {
        public var policy: EmailPolicy
        public var origin: Origin
        public var verdict: Verdict

        public var name: String { policy.qualifiedName }
    }

    public var candidates: [Candidate]
    public var winner: Candidate?
    public var reason: Reason?
}

extension PolicyExplanation.Reason: CustomStringConvertible {
    public var description: String {
        switch self {
        case .onlyMatch:
            return "the only policy whose podSelector matches"
        case .mostSpecific(let requirements, let over):
            return "most specific selector (\(requirements) requirements) over \(over.joined(separator: ", "))"
        case .nameBreaksTie(let requirements, let over):
            return "\(requirements) requirements like \(over.joined(separator: ", ")); the lexically smallest name wins"
        case .namespaceDefault(let others):
            return "no policy selects the Pod; the namespace's default policy applies"
                + (others.isEmpty ? "" : " (smallest name among the defaults \(others.joined(separator: ", ")))")
        case .systemDefault(let others):
            return "no policy of the namespace applies; the system namespace's default policy applies"
                + (others.isEmpty ? "" : " (smallest name among the defaults \(others.joined(separator: ", ")))")
        }
    }
}
