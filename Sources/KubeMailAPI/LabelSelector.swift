/// `metav1.LabelSelector` with exactly the Kubernetes semantics.
///
/// `matchLabels` and `matchExpressions` are ANDed. An empty selector (`{}`) selects everything;
/// the absence of a selector (a `nil` `LabelSelector?`) selects nothing, which callers express by
/// not calling `matches` at all.
public struct LabelSelector: Codable, Hashable, Sendable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Whether a set of labels satisfies every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels ?? [:] where labels[key] != value {
            return false
        }
        return (matchExpressions ?? []).allSatisfy { $0.matches(labels) }
    }

    /// The number of requirements; a policy with more requirements is more specific and wins.
    public var requirementCount: Int {
        (matchLabels?.count ?? 0) + (matchExpressions?.count ?? 0)
    }

    /// Whether this selector selects every object (`{}`).
    public var selectsEverything: Bool { requirementCount == 0 }

    /// The requirements in the order the API server lists them: matchLabels (sorted by key),
    /// then matchExpressions as written. `matchLabels` entries become `In` with one value.
    public var requirements: [LabelSelectorRequirement] {
        (matchLabels ?? [:]).sorted { $0.key < $1.key }.map {
            LabelSelectorRequirement(key: $0.key, operator: .in, values: [$0.value])
        } + (matchExpressions ?? [])
    }

    /// Label key and value syntax, operators, and the value rules of each operator.
    public func validate(at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (key, value) in (matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) {
            errors += NameValidation.qualifiedName(key).map { .invalid(path.child("matchLabels"), key, $0) }
            errors += NameValidation.labelValue(value).map {
                .invalid(path.child("matchLabels").key(key), value, $0)
            }
        }
        for (index, requirement) in (matchExpressions ?? []).enumerated() {
            errors += requirement.validate(at: path.child("matchExpressions").index(index))
        }
        return errors
    }

    /// The selector in the text form of `kubectl get -l` (`app=web,tier in (a,b),!legacy`).
    public var labelSelectorString: String {
        requirements.map(\.description).joined(separator: ",")
    }
}

/// One set-based requirement of a `LabelSelector`.
public struct LabelSelectorRequirement: Codable, Hashable, Sendable, CustomStringConvertible {
    public struct Operator: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The label exists and its value is one of `values`.
        public static let `in` = Operator(rawValue: "In")
        /// The label is absent, or its value is none of `values`.
        public static let notIn = Operator(rawValue: "NotIn")
        /// The label exists, with any value.
        public static let exists = Operator(rawValue: "Exists")
        /// The label is absent.
        public static let doesNotExist = Operator(rawValue: "DoesNotExist")

        public static let allCases: [Operator] = [.in, .notIn, .exists, .doesNotExist]

        public var description: String { rawValue }
    }

    public var key: String
    /// Kept as written, so that an unknown operator is reported by validation with its path
    /// rather than failing the decoding of the whole object.
    public var `operator`: Operator
    public var values: [String]?

    public init(key: String, operator: Operator, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// An invalid requirement (unknown operator) matches nothing, failing closed.
    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch `operator` {
        case .in: return value.map { (values ?? []).contains($0) } ?? false
        case .notIn: return value.map { !(values ?? []).contains($0) } ?? true
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        default: return false
        }
    }

    public func validate(at path: FieldPath) -> [FieldError] {
        var errors = NameValidation.qualifiedName(key).map { FieldError.invalid(path.child("key"), key, $0) }
        let values = values ?? []
        switch `operator` {
        case .in, .notIn:
            if values.isEmpty {
                errors.append(.required(path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
            }
        case .exists, .doesNotExist:
            if !values.isEmpty {
                errors.append(
                    .forbidden(
                        path.child("values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                    )
                )
            }
        default:
            errors.append(
                .notSupported(path.child("operator"), `operator`.rawValue, supported: Operator.allCases.map(\.rawValue))
            )
        }
        for (index, value) in values.enumerated() {
            errors += NameValidation.labelValue(value).map { .invalid(path.child("values").index(index), value, $0) }
        }
        return errors
    }

    public var description: String {
        let list = (values ?? []).joined(separator: ",")
        switch `operator` {
        case .in where values?.count == 1: return "\(key)=\(list)"
        case .in: return "\(key) in (\(list))"
        case .notIn: return "\(key) notin (\(list))"
        case .exists: return key
        case .doesNotExist: return "!\(key)"
        default: return "\(key) \(`operator`.rawValue) (\(list))"
        }
    }
}
