/// A structural OpenAPI v3 schema, as a CustomResourceDefinition's `openAPIV3Schema` holds it.
///
/// The resource types describe themselves with it (see `SchemaDescribed`); from one description
/// come the CRDs (`crdValue`) and a strict JSON Schema for standalone validators (`jsonSchemaValue`).
public struct JSONSchema: Hashable, Sendable {
    public enum DataType: String, Hashable, Sendable {
        case object, array, string, integer, number, boolean
    }

    /// A CEL rule (`x-kubernetes-validations`) for constraints that span several fields.
    public struct ValidationRule: Hashable, Sendable {
        public var rule: String
        public var message: String
        public var fieldPath: String?
        public var reason: String?

        public init(rule: String, message: String, fieldPath: String? = nil, reason: String? = nil) {
            self.rule = rule
            self.message = message
            self.fieldPath = fieldPath
            self.reason = reason
        }
    }

    public var type: DataType?
    public var description: String?
    public var properties: [String: JSONSchema] = [:]
    public var required: [String] = []
    public var enumValues: [JSONValue]?
    public var defaultValue: JSONValue?
    public var minimum: Int?
    public var maximum: Int?
    public var minLength: Int?
    public var maxLength: Int?
    public var minItems: Int?
    public var maxItems: Int?
    public var pattern: String?
    public var format: String?
    /// Alternatives that differ only in which properties are required (structural schemas allow
    /// nothing else inside `oneOf`).
    public var oneOf: [JSONSchema]?
    public var anyOf: [JSONSchema]?
    public var intOrString = false
    public var preserveUnknownFields = false
    /// An object whose members another schema owns (`metadata`): open even in strict validation,
    /// and rendered in a CRD as a bare `type: object`.
    public var isOpenObject = false
    public var listType: String?
    public var listMapKeys: [String]?
    public var mapType: String?
    public var validations: [ValidationRule] = []
    // Arrays stand in for optional single children: a struct cannot hold itself directly.
    private var itemsStorage: [JSONSchema] = []
    private var additionalPropertiesStorage: [JSONSchema] = []

    public init(type: DataType? = nil, description: String? = nil) {
        self.type = type
        self.description = description
    }

    public var items: JSONSchema? {
        get { itemsStorage.first }
        set { itemsStorage = newValue.map { [$0] } ?? [] }
    }

    /// The schema of every value of a map (`additionalProperties`).
    public var additionalProperties: JSONSchema? {
        get { additionalPropertiesStorage.first }
        set { additionalPropertiesStorage = newValue.map { [$0] } ?? [] }
    }
}

// MARK: - Building schemas

/// A type whose JSON form is described by a structural schema.
public protocol SchemaDescribed {
    static var schema: JSONSchema { get }
}

extension JSONSchema {
    /// An object whose properties are exactly the coding keys of a Swift type. The closure is a
    /// `switch` over the keys, so a property without a schema does not compile.
    public static func object<Key: CodingKey & CaseIterable>(
        _ description: String,
        keys: Key.Type,
        required: [Key] = [],
        _ property: (Key) -> JSONSchema
    ) -> JSONSchema {
        var schema = JSONSchema(type: .object, description: description)
        for key in Key.allCases {
            schema.properties[key.stringValue] = property(key)
        }
        schema.required = required.map(\.stringValue)
        return schema
    }

    /// The schema of a described type, with the description of the field that holds it.
    public static func ref<T: SchemaDescribed>(_ type: T.Type, _ description: String) -> JSONSchema {
        var schema = T.schema
        schema.description = description
        return schema
    }

    public static func string(
        _ description: String,
        pattern: String? = nil,
        minLength: Int? = nil,
        maxLength: Int? = nil,
        format: String? = nil,
        default defaultValue: String? = nil
    ) -> JSONSchema {
        var schema = JSONSchema(type: .string, description: description)
        schema.pattern = pattern
        schema.minLength = minLength
        schema.maxLength = maxLength
        schema.format = format
        schema.defaultValue = defaultValue.map(JSONValue.string)
        return schema
    }

    /// A string limited to the raw values of a Swift enumeration.
    public static func enumeration<E: CaseIterable & RawRepresentable>(
        _ type: E.Type,
        _ description: String,
        default defaultValue: E? = nil
    ) -> JSONSchema where E.RawValue == String {
        var schema = JSONSchema(type: .string, description: description)
        schema.enumValues = type.allCases.map { .string($0.rawValue) }
        schema.defaultValue = defaultValue.map { .string($0.rawValue) }
        return schema
    }

    public static func integer(
        _ description: String,
        minimum: Int? = nil,
        maximum: Int? = nil,
        format: String? = nil,
        default defaultValue: Int? = nil
    ) -> JSONSchema {
        var schema = JSONSchema(type: .integer, description: description)
        schema.minimum = minimum
        schema.maximum = maximum
        schema.format = format
        schema.defaultValue = defaultValue.map(JSONValue.integer)
        return schema
    }

    public static func boolean(_ description: String, default defaultValue: Bool? = nil) -> JSONSchema {
        var schema = JSONSchema(type: .boolean, description: description)
        schema.defaultValue = defaultValue.map(JSONValue.bool)
        return schema
    }

    public static func array(
        _ description: String,
        of items: JSONSchema,
        minItems: Int? = nil,
        maxItems: Int? = nil,
        listType: String? = nil,
        mapKeys: [String]? = nil
    ) -> JSONSchema {
        var schema = JSONSchema(type: .array, description: description)
        schema.items = items
        schema.minItems = minItems
        schema.maxItems = maxItems
        schema.listType = listType
        schema.listMapKeys = mapKeys
        return schema
    }

    /// An object with arbitrary keys whose values share one schema (`map[string]T` in Go).
    public static func map(_ description: String, values: JSONSchema) -> JSONSchema {
        var schema = JSONSchema(type: .object, description: description)
        schema.additionalProperties = values
        return schema
    }

    /// A Kubernetes `resource.Quantity`: an integer or a string such as `500m` or `128Mi`.
    public static func quantity(_ description: String) -> JSONSchema {
        var schema = JSONSchema(description: description)
        schema.intOrString = true
        schema.anyOf = [JSONSchema(type: .integer), JSONSchema(type: .string)]
        schema.pattern = Quantity.pattern
        return schema
    }

    /// An object kept as written: for embedded Kubernetes types whose schema kube-mail does not own.
    public static func preservingUnknownFields(_ description: String) -> JSONSchema {
        var schema = JSONSchema(type: .object, description: description)
        schema.preserveUnknownFields = true
        return schema
    }

    /// This schema with a default value.
    public func defaulting(to value: JSONValue) -> JSONSchema {
        var copy = self
        copy.defaultValue = value
        return copy
    }

    /// This schema with a CEL rule (`x-kubernetes-validations`).
    public func validated(by rule: String, message: String, reason: String? = nil) -> JSONSchema {
        var copy = self
        copy.validations.append(ValidationRule(rule: rule, message: message, reason: reason))
        return copy
    }

    /// This object schema, requiring exactly one of the given properties. Expressed twice: as a CEL
    /// rule (a clear message from the API server) and as `oneOf` (understood by JSON Schema
    /// validators and API servers without CEL).
    public func requiringExactlyOne(of keys: [String], message: String) -> JSONSchema {
        var copy = self.validated(
            by: "[" + keys.map { "has(self.\($0))" }.joined(separator: ", ") + "].filter(x, x).size() == 1",
            message: message
        )
        copy.oneOf = keys.map { key in
            var alternative = JSONSchema()
            alternative.required = [key]
            return alternative
        }
        return copy
    }
}

// MARK: - Rendering

extension JSONSchema {
    /// Whether strict validation rejects members the schema does not name, as the API server's
    /// strict field validation does.
    public var rejectsUnknownMembers: Bool {
        type == .object && additionalProperties == nil && !preserveUnknownFields && !isOpenObject
    }
}

extension JSONSchema {
    /// The schema as a CRD's `openAPIV3Schema` (with the `x-kubernetes-*` extensions).
    public var crdValue: JSONValue { render(strict: false) }

    /// The schema as a standalone JSON Schema (draft 7) for validators such as check-jsonschema or
    /// kubeconform: unknown fields are rejected, as the API server's strict field validation does.
    public var jsonSchemaValue: JSONValue {
        guard case .object(var members) = render(strict: true) else { return .null }
        members["$schema"] = "http://json-schema.org/draft-07/schema#"
        return .object(members)
    }

    private func render(strict: Bool) -> JSONValue {
        var out: [String: JSONValue] = [:]
        if let type { out["type"] = .string(type.rawValue) }
        if let description { out["description"] = .string(description) }
        if !properties.isEmpty {
            out["properties"] = .object(properties.mapValues { $0.render(strict: strict) })
        }
        if strict && rejectsUnknownMembers { out["additionalProperties"] = false }
        if !required.isEmpty { out["required"] = .array(required.map(JSONValue.string)) }
        if let items { out["items"] = items.render(strict: strict) }
        if let additionalProperties { out["additionalProperties"] = additionalProperties.render(strict: strict) }
        if let enumValues { out["enum"] = .array(enumValues) }
        if let defaultValue { out["default"] = defaultValue }
        if let minimum { out["minimum"] = .integer(minimum) }
        if let maximum { out["maximum"] = .integer(maximum) }
        if let minLength { out["minLength"] = .integer(minLength) }
        if let maxLength { out["maxLength"] = .integer(maxLength) }
        if let minItems { out["minItems"] = .integer(minItems) }
        if let maxItems { out["maxItems"] = .integer(maxItems) }
        if let pattern { out["pattern"] = .string(pattern) }
        if let format { out["format"] = .string(format) }
        if let oneOf { out["oneOf"] = .array(oneOf.map { $0.render(strict: strict) }) }
        if let anyOf { out["anyOf"] = .array(anyOf.map { $0.render(strict: strict) }) }
        if !strict {
            if intOrString { out["x-kubernetes-int-or-string"] = true }
            if preserveUnknownFields { out["x-kubernetes-preserve-unknown-fields"] = true }
            if let listType { out["x-kubernetes-list-type"] = .string(listType) }
            if let listMapKeys { out["x-kubernetes-list-map-keys"] = .array(listMapKeys.map(JSONValue.string)) }
            if let mapType { out["x-kubernetes-map-type"] = .string(mapType) }
            if !validations.isEmpty {
                out["x-kubernetes-validations"] = .array(
                    validations.map { rule in
                        var members: [String: JSONValue] = [
                            "rule": .string(rule.rule), "message": .string(rule.message),
                        ]
                        if let fieldPath = rule.fieldPath { members["fieldPath"] = .string(fieldPath) }
                        if let reason = rule.reason { members["reason"] = .string(reason) }
                        return .object(members)
                    }
                )
            }
        }
        return .object(out)
    }
}
