import Foundation
import KubeMailAPI

/// Validates a YAML document against a kind's schema as a strict JSON Schema validator would
/// (the `json-schema` output of `kubemailctl crds`), reporting each violation at a position:
/// the value for a wrong value, the key for an unknown field, the parent's key for a missing one.
struct SchemaValidator {
    struct Violation: Sendable {
        enum Kind: String, Sendable {
            case type = "schema-type"
            case required = "schema-required"
            case enumeration = "schema-enum"
            case range = "schema-range"
            case pattern = "schema-pattern"
            case format = "schema-format"
            case unknownField = "schema-unknown-field"
            case oneOf = "schema-one-of"
        }

        var kind: Kind
        var path: FieldPath
        var position: SourcePosition
        var message: String
    }

    private var patterns: [String: NSRegularExpression] = [:]

    /// Every violation of `node` against `schema`.
    mutating func validate(_ node: YAMLNode, against schema: JSONSchema) -> [Violation] {
        var violations: [Violation] = []
        validate(node, schema, path: FieldPath(""), anchor: node.position, into: &violations)
        return violations
    }

    /// `anchor` is where a missing member of this node is reported: the key that holds it.
    private mutating func validate(
        _ node: YAMLNode,
        _ schema: JSONSchema,
        path: FieldPath,
        anchor: SourcePosition,
        into violations: inout [Violation]
    ) {
        // An empty value (`server:`) has no text to point at; its key stands for it.
        let isEmpty = node.scalar.map { $0.value == .null && $0.text.isEmpty } ?? false
        func report(
            _ kind: Violation.Kind,
            _ message: String,
            at position: SourcePosition? = nil,
            path reportPath: FieldPath? = nil
        ) {
            let position = position ?? (isEmpty ? anchor : node.position)
            violations.append(Violation(kind: kind, path: reportPath ?? path, position: position, message: message))
        }
        let shown = path.description.isEmpty ? "the document" : path.description

        if schema.intOrString {
            guard let scalar = node.scalar, scalar.value == .string || Self.isInteger(scalar.value) else {
                report(.type, "\(shown) must be an integer or a string, not \(Self.describe(node))")
                return
            }
            if scalar.value == .string { checkString(scalar.text, schema, report: report, shown: shown) }
            return
        }

        switch schema.type {
        case .object:
            guard let pairs = node.pairs else {
                report(.type, "\(shown) must be an object, not \(Self.describe(node))")
                return
            }
            var present: Set<String> = []
            for pair in pairs {
                let key = pair.key.scalar?.text ?? ""
                present.insert(key)
                let childPath =
                    path.description.isEmpty
                    ? FieldPath(key) : (schema.additionalProperties != nil ? path.key(key) : path.child(key))
                if let child = schema.properties[key] {
                    validate(pair.value, child, path: childPath, anchor: pair.key.position, into: &violations)
                } else if let values = schema.additionalProperties {
                    validate(pair.value, values, path: childPath, anchor: pair.key.position, into: &violations)
                } else if schema.rejectsUnknownMembers {
                    let known = schema.properties.keys.sorted()
                    report(
                        .unknownField,
                        "unknown field \"\(key)\" in \(shown)"
                            + (known.isEmpty ? "" : "; known fields: " + known.joined(separator: ", ")),
                        at: pair.key.position,
                        path: childPath
                    )
                }
            }
            for name in schema.required where !present.contains(name) {
                report(
                    .required,
                    "\(path.description.isEmpty ? name : path.child(name).description) is required",
                    at: anchor,
                    path: path.description.isEmpty ? FieldPath(name) : path.child(name)
                )
            }
            if let alternatives = schema.oneOf {
                var satisfied = 0
                for alternative in alternatives {
                    var scratch: [Violation] = []
                    validate(node, alternative, path: path, anchor: anchor, into: &scratch)
                    if scratch.isEmpty { satisfied += 1 }
                }
                if satisfied != 1 {
                    let message =
                        schema.validations.first?.message
                        ?? "must match exactly one of \(alternatives.count) alternatives"
                    report(.oneOf, "\(shown): \(message)", at: anchor)
                }
            }
        case .array:
            guard case .sequence(let items) = node.content else {
                report(.type, "\(shown) must be a list, not \(Self.describe(node))")
                return
            }
            if let minimum = schema.minItems, items.count < minimum {
                report(.range, "\(shown) must have at least \(minimum) items")
            }
            if let maximum = schema.maxItems, items.count > maximum {
                report(.range, "\(shown) must have at most \(maximum) items")
            }
            if let itemSchema = schema.items {
                for (index, item) in items.enumerated() {
                    validate(item, itemSchema, path: path.index(index), anchor: item.position, into: &violations)
                }
            }
        case .string:
            guard let scalar = node.scalar, scalar.value == .string else {
                report(.type, "\(shown) must be a string, not \(Self.describe(node))")
                return
            }
            checkEnum(.string(scalar.text), schema, report: report, shown: shown)
            checkString(scalar.text, schema, report: report, shown: shown)
        case .integer, .number:
            guard let scalar = node.scalar, let number = Self.numericValue(scalar.value),
                schema.type == .number || Self.isInteger(scalar.value)
            else {
                report(
                    .type,
                    "\(shown) must be \(schema.type == .integer ? "an integer" : "a number"), not \(Self.describe(node))"
                )
                return
            }
            if let minimum = schema.minimum, number < Double(minimum) {
                report(.range, "\(shown) must be at least \(minimum), not \(scalar.text)")
            }
            if let maximum = schema.maximum, number > Double(maximum) {
                report(.range, "\(shown) must be at most \(maximum), not \(scalar.text)")
            }
            if let enumValues = schema.enumValues, !enumValues.contains(.integer(Int(number))) {
                report(.enumeration, "\(shown) must be one of \(Self.list(enumValues)), not \(scalar.text)")
            }
        case .boolean:
            guard let scalar = node.scalar, case .bool = scalar.value else {
                report(.type, "\(shown) must be a boolean (true or false), not \(Self.describe(node))")
                return
            }
        case nil:
            // A bare constraint, such as a oneOf alternative that only requires a member.
            if let pairs = node.pairs {
                let present = Set(pairs.compactMap { $0.key.scalar?.text })
                for name in schema.required where !present.contains(name) {
                    report(.required, "\(path.child(name)) is required", at: anchor, path: path.child(name))
                }
            }
        }
    }

    private func checkEnum(
        _ value: JSONValue,
        _ schema: JSONSchema,
        report: (Violation.Kind, String, SourcePosition?, FieldPath?) -> Void,
        shown: String
    ) {
        guard let enumValues = schema.enumValues, !enumValues.contains(value) else { return }
        report(
            .enumeration,
            "\(shown) must be one of \(Self.list(enumValues)), not \"\(value.stringValue ?? "")\"",
            nil,
            nil
        )
    }

    private mutating func checkString(
        _ text: String,
        _ schema: JSONSchema,
        report: (Violation.Kind, String, SourcePosition?, FieldPath?) -> Void,
        shown: String
    ) {
        let length = text.unicodeScalars.count
        if let minimum = schema.minLength, length < minimum {
            report(
                .range,
                minimum == 1 ? "\(shown) must not be empty" : "\(shown) must be at least \(minimum) characters long",
                nil,
                nil
            )
        }
        if let maximum = schema.maxLength, length > maximum {
            report(.range, "\(shown) must be at most \(maximum) characters long, not \(length)", nil, nil)
        }
        if let pattern = schema.pattern, !matches(text, pattern: pattern) {
            report(.pattern, "\(shown) \"\(text)\" does not match the pattern \(pattern)", nil, nil)
        }
        if schema.format == "date-time", Timestamp(text) == nil {
            report(.format, "\(shown) \"\(text)\" is not an RFC 3339 date-time such as 2024-05-01T12:00:00Z", nil, nil)
        }
    }

    /// JSON Schema `pattern`: an unanchored search, compiled once per pattern.
    private mutating func matches(_ text: String, pattern: String) -> Bool {
        let expression: NSRegularExpression
        if let cached = patterns[pattern] {
            expression = cached
        } else {
            guard let compiled = try? NSRegularExpression(pattern: pattern) else { return true }
            patterns[pattern] = compiled
            expression = compiled
        }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, range: range) != nil
    }

    private static func isInteger(_ value: YAMLScalar.Value) -> Bool {
        switch value {
        case .integer: return true
        case .number(let number): return number.isFinite && number.rounded() == number
        default: return false
        }
    }

    private static func numericValue(_ value: YAMLScalar.Value) -> Double? {
        switch value {
        case .integer(let number): return Double(number)
        case .number(let number): return number
        default: return nil
        }
    }

    /// How a wrong value reads in a message: `the string "587"`, `a list`.
    static func describe(_ node: YAMLNode) -> String {
        switch node.content {
        case .mapping: return "an object"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch scalar.value {
            case .null: return "null"
            case .bool: return "the boolean \(scalar.text)"
            case .integer, .number: return "the number \(scalar.text)"
            case .string: return "the string \"\(scalar.text)\""
            }
        }
    }

    private static func list(_ values: [JSONValue]) -> String {
        values.map { value in
            switch value {
            case .string(let text): return text
            case .integer(let number): return String(number)
            default: return "\(value)"
            }
        }.joined(separator: ", ")
    }
}
