import Foundation
import KubeMailAPI

/// A place in a source file: 1-based line and column (columns count Unicode scalars, as libyaml
/// does and as SARIF's `unicodeCodePoints` column kind expects).
public struct SourcePosition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static let start = SourcePosition(line: 1, column: 1)

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A YAML node with its position, as the linter needs it: mapping keys keep their own positions
/// and duplicates, so that a finding can point at the exact key or value.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(YAMLScalar)
        case mapping([YAMLPair])
        case sequence([YAMLNode])
    }

    public var content: Content
    public var position: SourcePosition

    public init(_ content: Content, at position: SourcePosition) {
        self.content = content
        self.position = position
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value of a key of a mapping (the last one, as Kubernetes' YAML reader keeps it).
    public subscript(key: String) -> YAMLNode? {
        pairs?.last { $0.key.scalar?.text == key }?.value
    }

    /// The pair of a key of a mapping.
    public func pair(_ key: String) -> YAMLPair? {
        pairs?.last { $0.key.scalar?.text == key }
    }

    /// The string value of a scalar that reads as a string.
    public var string: String? {
        guard let scalar, case .string = scalar.value else { return nil }
        return scalar.text
    }

    /// The node as JSON, as kubectl would send it to the API server.
    public var jsonValue: JSONValue {
        switch content {
        case .scalar(let scalar):
            switch scalar.value {
            case .null: return .null
            case .bool(let value): return .bool(value)
            case .integer(let value): return .integer(value)
            case .number(let value): return .number(value)
            case .string: return .string(scalar.text)
            }
        case .mapping(let pairs):
            var members: [String: JSONValue] = [:]
            for pair in pairs { members[pair.key.scalar?.text ?? ""] = pair.value.jsonValue }
            return .object(members)
        case .sequence(let items):
            return .array(items.map(\.jsonValue))
        }
    }

    /// The node at a field path (`spec.sink.smtp.server.name`, `metadata.labels[app]`,
    /// `spec.podSelector.matchExpressions[0].values`), with the pair that holds it when the last
    /// step is a key.
    public func locate(_ path: FieldPath) -> (node: YAMLNode, pair: YAMLPair?)? {
        var current: (node: YAMLNode, pair: YAMLPair?) = (self, nil)
        for step in Self.steps(of: path.description) {
            if case .sequence(let items) = current.node.content, let index = Int(step) {
                guard items.indices.contains(index) else { return nil }
                current = (items[index], nil)
            } else if let pair = current.node.pair(step) {
                current = (pair.value, pair)
            } else {
                return nil
            }
        }
        return current
    }

    /// Splits `a.b[c.d][0].e` into `a`, `b`, `c.d`, `0`, `e`.
    static func steps(of path: String) -> [String] {
        var steps: [String] = []
        var current = ""
        var inBrackets = false
        for character in path {
            switch character {
            case "." where !inBrackets, "[" where !inBrackets:
                if !current.isEmpty { steps.append(current) }
                current = ""
                inBrackets = character == "["
            case "]" where inBrackets:
                steps.append(current)
                current = ""
                inBrackets = false
            default:
                current.append(character)
            }
        }
        if !current.isEmpty { steps.append(current) }
        return steps
    }
}

public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
}

/// A scalar and the type Kubernetes' YAML reader (sigs.k8s.io/yaml, YAML 1.1 rules) gives it.
public struct YAMLScalar: Sendable {
    public enum Value: Sendable, Equatable {
        case null
        case bool(Bool)
        case integer(Int)
        case number(Double)
        case string
    }

    public var text: String
    public var value: Value
    /// A plain `yes`, `no`, `on`, `off`, `y` or `n`: a boolean for Kubernetes (YAML 1.1) but a
    /// string for YAML 1.2 tools.
    public var isYAML11Boolean: Bool

    /// Resolves a scalar. Quoted and block scalars are strings; plain ones are typed by their form.
    init(text: String, plain: Bool, tag: String?) {
        self.text = text
        self.isYAML11Boolean = false
        switch tag {
        case "tag:yaml.org,2002:str":
            value = .string
            return
        case "tag:yaml.org,2002:null":
            value = .null
            return
        default:
            break
        }
        guard plain || tag != nil else {
            value = .string
            return
        }
        switch text {
        case "", "~", "null", "Null", "NULL":
            value = .null
        case "true", "True", "TRUE":
            value = .bool(true)
        case "false", "False", "FALSE":
            value = .bool(false)
        case "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
            value = .bool(true)
            isYAML11Boolean = true
        case "no", "No", "NO", "off", "Off", "OFF", "n", "N":
            value = .bool(false)
            isYAML11Boolean = true
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
            value = .number(.infinity)
        case "-.inf", "-.Inf", "-.INF":
            value = .number(-.infinity)
        case ".nan", ".NaN", ".NAN":
            value = .number(.nan)
        default:
            value = Self.number(text) ?? .string
        }
    }

    private static func number(_ text: String) -> Value? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first,
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return nil }
        if text.hasPrefix("0x"), let value = Int(text.dropFirst(2), radix: 16) { return .integer(value) }
        if text.hasPrefix("0o"), let value = Int(text.dropFirst(2), radix: 8) { return .integer(value) }
        var digits = Substring(text)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return Int(text.hasPrefix("+") ? String(text.dropFirst()) : text).map(Value.integer)
                ?? .number(Double(text)!)
        }
        // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
        var index = digits.startIndex
        func skipDigits() -> Int {
            var count = 0
            while index < digits.endIndex, digits[index].isASCII, digits[index].isNumber {
                index = digits.index(after: index)
                count += 1
            }
            return count
        }
        let integerDigits = skipDigits()
        var fractionDigits = 0
        if index < digits.endIndex, digits[index] == "." {
            index = digits.index(after: index)
            fractionDigits = skipDigits()
        }
        guard integerDigits > 0 || fractionDigits > 0 else { return nil }
        if index < digits.endIndex, digits[index] == "e" || digits[index] == "E" {
            index = digits.index(after: index)
            if index < digits.endIndex, digits[index] == "+" || digits[index] == "-" {
                index = digits.index(after: index)
            }
            guard skipDigits() > 0 else { return nil }
        }
        guard index == digits.endIndex, let value = Double(text) else { return nil }
        return .number(value)
    }
}
