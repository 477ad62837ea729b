/// The subset of kubectl's JSONPath that printer columns use: `.a.b`, `.a[0]`, `.a[*].b` and
/// filters such as `.status.conditions[?(@.type=="Ready")].status`.
public struct JSONPathQuery: Sendable {
    enum Step: Sendable {
        case member(String)
        case index(Int)
        case all
        case filter(path: [String], value: String, negated: Bool)
    }

    let steps: [Step]

    public init(_ expression: String) throws(APIError) {
        var text = Substring(expression.trimmingWhitespace())
        if text.hasPrefix("{") && text.hasSuffix("}") { text = text.dropFirst().dropLast() }
        if text.hasPrefix("$") { text = text.dropFirst() }
        var steps: [Step] = []
        while !text.isEmpty {
            if text.hasPrefix(".") {
                text = text.dropFirst()
                let name = text.prefix { $0 != "." && $0 != "[" }
                if !name.isEmpty { steps.append(.member(String(name))) }
                text = text.dropFirst(name.count)
            } else if text.hasPrefix("[") {
                guard let close = Self.closingBracket(in: text) else {
                    throw APIError.badRequest("unclosed [ in JSONPath \(expression)")
                }
                let inner = text[text.index(after: text.startIndex)..<close].trimming(" ")
                text = text[text.index(after: close)...]
                if inner == "*" {
                    steps.append(.all)
                } else if let index = Int(inner) {
                    steps.append(.index(index))
                } else if inner.hasPrefix("?(") && inner.hasSuffix(")") {
                    let condition = String(inner.dropFirst(2).dropLast()).trimmingWhitespace()
                    let negated = condition.contains("!=")
                    let parts = condition.split(separator: negated ? "!=" : "==", maxSplits: 1).map {
                        String($0).trimmingWhitespace()
                    }
                    guard parts.count == 2, parts[0].hasPrefix("@.") else {
                        throw APIError.badRequest("unsupported JSONPath filter \(inner)")
                    }
                    let value = parts[1].trimming("\"'")
                    steps.append(
                        .filter(
                            path: parts[0].dropFirst(2).split(separator: ".").map(String.init),
                            value: value,
                            negated: negated
                        )
                    )
                } else {
                    steps.append(.member(inner.trimming("'\"")))
                }
            } else {
                throw APIError.badRequest("unexpected character in JSONPath \(expression)")
            }
        }
        self.steps = steps
    }

    private static func closingBracket(in text: Substring) -> Substring.Index? {
        var depth = 0
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "[" { depth += 1 }
            if text[index] == "]" {
                depth -= 1
                if depth == 0 { return index }
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// Every value the path selects, in document order.
    public func evaluate(_ value: JSONValue) -> [JSONValue] {
        var current = [value]
        for step in steps {
            var next: [JSONValue] = []
            for candidate in current {
                switch step {
                case .member(let name):
                    if let member = candidate[name] { next.append(member) }
                case .index(let index):
                    if let items = candidate.arrayValue {
                        let position = index < 0 ? items.count + index : index
                        if items.indices.contains(position) { next.append(items[position]) }
                    }
                case .all:
                    if let items = candidate.arrayValue {
                        next += items
                    } else if let members = candidate.objectValue {
                        next += members.keys.sorted().map { members[$0]! }
                    }
                case .filter(let path, let wanted, let negated):
                    for item in candidate.arrayValue ?? [] {
                        let actual = item[path: path].map { $0.stringValue ?? JSONWriter.string($0) }
                        if (actual == wanted) != negated { next.append(item) }
                    }
                }
            }
            current = next
        }
        return current
    }
}
