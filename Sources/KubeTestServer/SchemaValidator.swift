import Foundation

/// Structural-schema handling of custom resources, in the order the real API server applies it:
/// pruning of unknown fields (or their rejection under `fieldValidation=Strict`), defaulting, then
/// OpenAPI v3 validation with the field-error wording of `apiextensions-apiserver`.
///
/// `x-kubernetes-validations` (CEL) rules are *not* evaluated.
public struct SchemaValidator: Sendable {
    public let schema: JSONValue

    public init(schema: JSONValue) { self.schema = schema }

    // MARK: Pruning

    /// Drops fields the schema does not declare; returns the pruned object and the dropped paths.
    public func prune(_ object: JSONValue) -> (object: JSONValue, unknownFields: [String]) {
        var unknown: [String] = []
        var result = object
        guard case .object(var members) = object else { return (object, []) }
        if let metadata = members["metadata"] {
            members["metadata"] = prune(
                metadata,
                schema: BuiltinSchemas.objectMeta,
                path: "metadata",
                unknown: &unknown
            )
        }
        for (key, value) in members where !["apiVersion", "kind", "metadata"].contains(key) {
            if let property = schema[path: ["properties", key]] {
                members[key] = prune(value, schema: property, path: key, unknown: &unknown)
            } else if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue != true {
                members[key] = nil
                unknown.append(key)
            }
        }
        result = .object(members)
        return (result, unknown.sorted())
    }

    private func prune(_ value: JSONValue, schema: JSONValue, path: String, unknown: inout [String]) -> JSONValue {
        switch value {
        case .object(var members):
            let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
            let embedded = schema["x-kubernetes-embedded-resource"]?.boolValue == true
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            for (key, child) in members {
                if embedded && ["apiVersion", "kind", "metadata"].contains(key) { continue }
                if let property = properties?[key] {
                    members[key] = prune(child, schema: property, path: "\(path).\(key)", unknown: &unknown)
                } else if let additional, additional.objectValue != nil {
                    members[key] = prune(child, schema: additional, path: "\(path).\(key)", unknown: &unknown)
                } else if additional?.boolValue == true || preserve
                    || (properties == nil && additional == nil && schema["type"] == nil)
                {
                    continue
                } else if properties != nil || schema["type"]?.stringValue == "object" {
                    members[key] = nil
                    unknown.append("\(path).\(key)")
                }
            }
            return .object(members)
        case .array(let items):
            guard let itemSchema = schema["items"], itemSchema.objectValue != nil else { return value }
            return .array(
                items.enumerated().map { prune($1, schema: itemSchema, path: "\(path)[\($0)]", unknown: &unknown) }
            )
        default:
            return value
        }
    }

    // MARK: Defaulting

    /// Fills in `default`s of absent members of every object present in `object`.
    public func applyDefaults(_ object: JSONValue) -> JSONValue {
        applyDefaults(object, schema: schema, isRoot: true)
    }

    private func applyDefaults(_ value: JSONValue, schema: JSONValue, isRoot: Bool = false) -> JSONValue {
        switch value {
        case .object(var members):
            if let properties = schema["properties"]?.objectValue {
                for (key, property) in properties {
                    if isRoot && key == "metadata" { continue }
                    if let defaultValue = property["default"],
                        members[key] == nil || (members[key]!.isNull && property["nullable"]?.boolValue != true)
                    {
                        members[key] = defaultValue
                    }
                    if let child = members[key] {
                        members[key] = applyDefaults(child, schema: property)
                    }
                }
            } else if let additional = schema["additionalProperties"], additional.objectValue != nil {
                for (key, child) in members { members[key] = applyDefaults(child, schema: additional) }
            }
            return .object(members)
        case .array(let items):
            guard let itemSchema = schema["items"], itemSchema.objectValue != nil else { return value }
            return .array(items.map { applyDefaults($0, schema: itemSchema) })
        default:
            return value
        }
    }

    // MARK: Validation

    /// Validates against the schema; an empty result means valid.
    public func validate(_ object: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        guard case .object(let members) = object else {
            return [
                FieldError(
                    .typeInvalid,
                    field: "<root>",
                    value: .string(object.typeName),
                    detail: "must be of type object"
                )
            ]
        }
        for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
            errors.append(FieldError(.required, field: name))
        }
        for (key, value) in members.sorted(by: { $0.key < $1.key })
        where !["apiVersion", "kind", "metadata"].contains(key) {
            if let property = schema[path: ["properties", key]] {
                validate(value, schema: property, path: key, errors: &errors)
            }
        }
        return errors
    }

    private func validate(_ value: JSONValue, schema: JSONValue, path: String, errors: inout [FieldError]) {
        let intOrString = schema["x-kubernetes-int-or-string"]?.boolValue == true
        if value.isNull {
            if schema["nullable"]?.boolValue == true { return }
            if let type = schema["type"]?.stringValue {
                errors.append(
                    FieldError(
                        .typeInvalid,
                        field: path,
                        value: "null",
                        detail: "\(path) in body must be of type \(type): \"null\""
                    )
                )
            }
            return
        }
        if intOrString {
            if value.intValue == nil && value.stringValue == nil {
                errors.append(
                    FieldError(
                        .typeInvalid,
                        field: path,
                        value: .string(value.typeName),
                        detail: "\(path) in body must be of type integer,string: \"\(value.typeName)\""
                    )
                )
                return
            }
        } else if let type = schema["type"]?.stringValue, !Self.matches(value, type: type) {
            errors.append(
                FieldError(
                    .typeInvalid,
                    field: path,
                    value: .string(value.typeName),
                    detail: "\(path) in body must be of type \(type): \"\(value.typeName)\""
                )
            )
            return
        }

        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(where: { $0.semanticallyEquals(value) }) {
            let rendered = allowed.map { $0.stringValue ?? JSONWriter.string($0) }
            errors.append(
                FieldError(
                    .notSupported,
                    field: path,
                    value: value,
                    detail: "supported values: "
                        + rendered.map { JSONWriter.string(.string($0)) }.joined(separator: ", ")
                )
            )
        }

        switch value {
        case .int, .double:
            validateNumber(value.doubleValue ?? 0, value: value, schema: schema, path: path, errors: &errors)
        case .string(let text):
            validateString(text, schema: schema, path: path, errors: &errors)
        case .array(let items):
            if let minimum = schema["minItems"]?.intValue, items.count < minimum {
                errors.append(
                    FieldError(
                        .invalid,
                        field: path,
                        value: value,
                        detail: "\(path) in body should have at least \(minimum) items"
                    )
                )
            }
            if let maximum = schema["maxItems"]?.intValue, items.count > maximum {
                errors.append(
                    FieldError(
                        .tooMany,
                        field: path,
                        value: .int(Int64(items.count)),
                        detail: "must have at most \(maximum) items"
                    )
                )
            }
            if schema["uniqueItems"]?.boolValue == true, Set(items).count != items.count {
                errors.append(FieldError(.duplicate, field: path, value: value))
            }
            if let itemSchema = schema["items"], itemSchema.objectValue != nil {
                for (index, item) in items.enumerated() {
                    validate(item, schema: itemSchema, path: "\(path)[\(index)]", errors: &errors)
                }
            }
        case .object(let members):
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                errors.append(FieldError(.required, field: "\(path).\(name)"))
            }
            if let minimum = schema["minProperties"]?.intValue, members.count < minimum {
                errors.append(
                    FieldError(
                        .invalid,
                        field: path,
                        value: "",
                        detail: "\(path) in body should have at least \(minimum) properties"
                    )
                )
            }
            if let maximum = schema["maxProperties"]?.intValue, members.count > maximum {
                errors.append(
                    FieldError(
                        .tooMany,
                        field: path,
                        value: .int(Int64(members.count)),
                        detail: "must have at most \(maximum) items"
                    )
                )
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for (key, child) in members.sorted(by: { $0.key < $1.key }) {
                if let property = properties[key] {
                    validate(child, schema: property, path: "\(path).\(key)", errors: &errors)
                } else if let additional = schema["additionalProperties"] {
                    if additional.objectValue != nil {
                        validate(child, schema: additional, path: "\(path).\(key)", errors: &errors)
                    } else if additional.boolValue == false {
                        errors.append(
                            FieldError(
                                .forbidden,
                                field: "\(path).\(key)",
                                detail: "\(path).\(key) in body is a forbidden property"
                            )
                        )
                    }
                }
            }
        default:
            break
        }

        validateCombinators(value, schema: schema, path: path, errors: &errors)
    }

    private func validateCombinators(_ value: JSONValue, schema: JSONValue, path: String, errors: inout [FieldError]) {
        if let alternatives = schema["oneOf"]?.arrayValue {
            let results = alternatives.map { alternative -> [FieldError] in
                var nested: [FieldError] = []
                validate(value, schema: alternative, path: path, errors: &nested)
                return nested
            }
            let valid = results.filter(\.isEmpty).count
            if valid != 1 {
                let found = valid == 0 ? "Found none valid" : "Found \(valid) valid alternatives"
                errors.append(
                    FieldError(
                        .invalid,
                        field: path,
                        value: "",
                        detail: "\(path) in body must validate one and only one schema (oneOf). \(found)"
                    )
                )
                if valid == 0, let first = results.first { errors.append(contentsOf: first) }
            }
        }
        if let alternatives = schema["anyOf"]?.arrayValue {
            let results = alternatives.map { alternative -> [FieldError] in
                var nested: [FieldError] = []
                validate(value, schema: alternative, path: path, errors: &nested)
                return nested
            }
            if !results.contains(where: \.isEmpty) {
                errors.append(
                    FieldError(
                        .invalid,
                        field: path,
                        value: "",
                        detail: "\(path) in body must validate at least one schema (anyOf)"
                    )
                )
                if let first = results.first { errors.append(contentsOf: first) }
            }
        }
        for alternative in schema["allOf"]?.arrayValue ?? [] {
            validate(value, schema: alternative, path: path, errors: &errors)
        }
        if let forbidden = schema["not"], forbidden.objectValue != nil {
            var nested: [FieldError] = []
            validate(value, schema: forbidden, path: path, errors: &nested)
            if nested.isEmpty {
                errors.append(
                    FieldError(
                        .invalid,
                        field: path,
                        value: "",
                        detail: "\(path) in body should not validate the schema provided"
                    )
                )
            }
        }
    }

    private func validateNumber(
        _ number: Double,
        value: JSONValue,
        schema: JSONValue,
        path: String,
        errors: inout [FieldError]
    ) {
        if let minimum = schema["minimum"]?.doubleValue {
            let exclusive = schema["exclusiveMinimum"]?.boolValue == true
            if exclusive ? number <= minimum : number < minimum {
                let bound = Self.render(schema["minimum"]!)
                errors.append(
                    FieldError(
                        .invalid,
                        field: path,
                        value: value,
                        detail: "\(path) in body should be greater than \(exclusive ? "" : "or equal to ")\(bound)"
                    )
                )
            }
        }
        if let maximum = schema["maximum"]?.doubleValue {
            let exclusive = schema["exclusiveMaximum"]?.boolValue == true
            if exclusive ? number >= maximum : number > maximum {
                let bound = Self.render(schema["maximum"]!)
                errors.append(
                    FieldError(
                        .invalid,
                        field: path,
                        value: value,
                        detail: "\(path) in body should be less than \(exclusive ? "" : "or equal to ")\(bound)"
                    )
                )
            }
        }
        if let multiple = schema["multipleOf"]?.doubleValue, multiple != 0,
            (number / multiple).rounded() != number / multiple
        {
            errors.append(
                FieldError(
                    .invalid,
                    field: path,
                    value: value,
                    detail: "\(path) in body should be a multiple of \(Self.render(schema["multipleOf"]!))"
                )
            )
        }
    }

    private func validateString(_ text: String, schema: JSONValue, path: String, errors: inout [FieldError]) {
        let length = text.unicodeScalars.count
        if let minimum = schema["minLength"]?.intValue, length < minimum {
            errors.append(
                FieldError(
                    .invalid,
                    field: path,
                    value: .string(text),
                    detail: "\(path) in body should be at least \(minimum) chars long"
                )
            )
        }
        if let maximum = schema["maxLength"]?.intValue, length > maximum {
            errors.append(
                FieldError(.tooLong, field: path, value: .string(text), detail: "may not be more than \(maximum) bytes")
            )
        }
        if let pattern = schema["pattern"]?.stringValue {
            if let regex = try? NSRegularExpression(pattern: pattern) {
                let range = NSRange(text.startIndex..<text.endIndex, in: text)
                if regex.firstMatch(in: text, range: range) == nil {
                    errors.append(
                        FieldError(
                            .invalid,
                            field: path,
                            value: .string(text),
                            detail: "\(path) in body should match '\(pattern)'"
                        )
                    )
                }
            }
        }
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch type {
        case "object": return value.objectValue != nil
        case "array": return value.arrayValue != nil
        case "string": return value.stringValue != nil
        case "boolean": return value.boolValue != nil
        case "integer": return value.intValue != nil
        case "number": return value.doubleValue != nil
        default: return true
        }
    }

    static func render(_ value: JSONValue) -> String { JSONWriter.string(value) }
}
