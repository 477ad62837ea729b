import KubeMailAPI

extension LabelSelector {
    /// A set of labels that both selectors select, or nil when no object can match both.
    ///
    /// Label selectors are conjunctions of per-key constraints over free-form labels, so two of
    /// them overlap exactly when, for every key, the combined constraints leave some choice: not
    /// both `Exists` and `DoesNotExist`, and an `In` set that `NotIn` does not empty.
    public func overlapExample(with other: LabelSelector) -> [String: String]? {
        struct KeyConstraint {
            var allowed: Set<String>?
            var forbidden: Set<String> = []
            var mustExist = false
            var mustNotExist = false
        }
        var constraints: [String: KeyConstraint] = [:]
        for requirement in requirements + other.requirements {
            var constraint = constraints[requirement.key] ?? KeyConstraint()
            let values = Set(requirement.values ?? [])
            switch requirement.operator {
            case .in:
                constraint.mustExist = true
                constraint.allowed = constraint.allowed.map { $0.intersection(values) } ?? values
            case .notIn: constraint.forbidden.formUnion(values)
            case .exists: constraint.mustExist = true
            case .doesNotExist: constraint.mustNotExist = true
            default: return nil
            }
            constraints[requirement.key] = constraint
        }
        var example: [String: String] = [:]
        for (key, constraint) in constraints {
            if constraint.mustNotExist {
                if constraint.mustExist { return nil }
                continue
            }
            if let allowed = constraint.allowed {
                guard let value = allowed.subtracting(constraint.forbidden).sorted().first else { return nil }
                example[key] = value
            } else if constraint.mustExist {
                // Any value outside the forbidden set; a label value the forbidden set cannot hold.
                var value = "x"
                while constraint.forbidden.contains(value) { value += "x" }
                example[key] = value
            }
        }
        return example
    }
}
