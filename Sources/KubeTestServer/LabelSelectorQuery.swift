/// A parsed `labelSelector` query, with the grammar of `k8s.io/apimachinery/pkg/labels.Parse`:
/// comma-joined requirements `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`,
/// `k>1`, `k<1`. Requirements are ANDed; the empty selector matches everything.
public struct LabelSelectorQuery: Sendable, Hashable {
    public enum Operator: Sendable, Hashable {
        case equals, notEquals, `in`, notIn, exists, doesNotExist, greaterThan, lessThan
    }

    public struct Requirement: Sendable, Hashable {
        public var key: String
        public var op: Operator
        public var values: [String]

        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch op {
            case .equals, .in: return value.map(values.contains) ?? false
            case .notEquals, .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            case .greaterThan, .lessThan:
                guard let value, let number = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else {
                    return false
                }
                return op == .greaterThan ? number > bound : number < bound
            }
        }
    }

    public var requirements: [Requirement]

    public init(requirements: [Requirement] = []) { self.requirements = requirements }

    public var isEmpty: Bool { requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool { requirements.allSatisfy { $0.matches(labels) } }

    /// Parses the query-parameter form. Throws a 400 with the offending text on a syntax error.
    public init(parsing text: String) throws(APIError) {
        var requirements: [Requirement] = []
        for term in try Self.splitTopLevel(text) {
            requirements.append(try Self.parseRequirement(term))
        }
        self.requirements = requirements
    }

    /// Builds a selector from its object form (`matchLabels`, `matchExpressions`).
    public init(selector: JSONValue) throws(APIError) {
        var requirements: [Requirement] = []
        for (key, value) in (selector["matchLabels"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            requirements.append(Requirement(key: key, op: .equals, values: [value.stringValue ?? ""]))
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let op: Operator
            switch expression["operator"]?.stringValue {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            case let other: throw APIError.badRequest("\(other ?? ""): is not a valid label selector operator")
            }
            requirements.append(Requirement(key: key, op: op, values: values))
        }
        self.requirements = requirements
    }

    private static func splitTopLevel(_ text: String) throws(APIError) -> [String] {
        var terms: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(":
                depth += 1
                current.append(character)
            case ")":
                depth -= 1
                guard depth >= 0 else {
                    throw APIError.badRequest("unable to parse requirement: unbalanced ')' in \"\(text)\"")
                }
                current.append(character)
            case "," where depth == 0:
                terms.append(current)
                current = ""
            default: current.append(character)
            }
        }
        guard depth == 0 else { throw APIError.badRequest("unable to parse requirement: missing ')' in \"\(text)\"") }
        terms.append(current)
        return terms.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    private static func parseRequirement(_ term: String) throws(APIError) -> Requirement {
        func invalidKey(_ key: String) -> APIError {
            APIError.badRequest(
                "unable to parse requirement: <nil>: Invalid value: \"\(key)\": name part must consist of alphanumeric characters, '-', '_' or '.'"
            )
        }
        if term.hasPrefix("!") {
            let key = String(term.dropFirst()).trimmingWhitespace()
            guard isValidKey(key) else { throw invalidKey(key) }
            return Requirement(key: key, op: .doesNotExist, values: [])
        }
        // Set-based: `key in (a, b)` / `key notin (a, b)`.
        let words = term.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        if words.count == 2 {
            let rest = words[1].trimming(" ")
            for (keyword, op) in [("notin", Operator.notIn), ("in", Operator.in)] where rest.hasPrefix(keyword) {
                let list = rest.dropFirst(keyword.count).trimming(" ")
                guard list.hasPrefix("("), list.hasSuffix(")") else {
                    throw APIError.badRequest("unable to parse requirement: found '\(list)', expected: '('")
                }
                let values = list.dropFirst().dropLast().split(separator: ",").map { String($0).trimmingWhitespace() }
                    .filter { !$0.isEmpty }
                let key = String(words[0])
                guard isValidKey(key) else { throw invalidKey(key) }
                return Requirement(key: key, op: op, values: values)
            }
        }
        for (token, op) in [
            ("==", Operator.equals), ("!=", .notEquals), ("=", .equals), (">", .greaterThan), ("<", .lessThan),
        ] {
            if let range = term.firstRange(of: token) {
                let key = String(term[..<range.lowerBound]).trimmingWhitespace()
                let value = String(term[range.upperBound...]).trimmingWhitespace()
                guard isValidKey(key) else { throw invalidKey(key) }
                return Requirement(key: key, op: op, values: [value])
            }
        }
        guard isValidKey(term) else { throw invalidKey(term) }
        return Requirement(key: term, op: .exists, values: [])
    }

    static func isValidKey(_ key: String) -> Bool {
        guard !key.isEmpty, key.count <= 317 else { return false }
        return key.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
    }
}

extension String {
    func trimmingWhitespace() -> String { trimming(" \t\n") }

    func trimming(_ set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

extension Substring {
    func trimming(_ set: String) -> String { String(self).trimming(set) }
}
