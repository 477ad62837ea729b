import Foundation

/// Server-side printing: the `meta.k8s.io/v1` `Table` that `kubectl get` asks for with
/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, built from a resource's printer
/// columns (a CRD's `additionalPrinterColumns`) after the leading Name column.
public struct TableConverter: Sendable {
    public let resource: ResourceType
    let now: Date

    public init(resource: ResourceType, now: Date = Date()) {
        self.resource = resource
        self.now = now
    }

    public var columnDefinitions: JSONValue {
        var columns: [JSONValue] = [
            [
                "name": "Name", "type": "string", "format": "name", "priority": 0,
                "description":
                    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
            ]
        ]
        for column in resource.printerColumns {
            columns.append([
                "name": .string(column.name), "type": .string(column.type), "format": .string(column.format),
                "description": .string(column.description), "priority": .int(Int64(column.priority)),
            ])
        }
        return .array(columns)
    }

    /// A table of `objects`; `metadata` carries the list's resourceVersion and continue token.
    public func table(
        _ objects: [JSONValue],
        metadata: JSONValue = .object([:]),
        includeObject: String = "Metadata"
    ) -> JSONValue {
        [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "columnDefinitions": columnDefinitions,
            "rows": .array(objects.map { row($0, includeObject: includeObject) }),
        ]
    }

    func row(_ object: JSONValue, includeObject: String) -> JSONValue {
        var cells: [JSONValue] = [.string(object.name)]
        for column in resource.printerColumns {
            if let computed = column.computed {
                cells.append(computed.value(for: object))
                continue
            }
            let value = (try? JSONPathQuery(column.jsonPath))?.evaluate(object).first
            cells.append(cell(value, type: column.type))
        }
        var row: JSONValue = ["cells": .array(cells)]
        switch includeObject {
        case "None": break
        case "Object": row["object"] = object
        default:
            row["object"] = [
                "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object.metadata,
            ]
        }
        return row
    }

    func cell(_ value: JSONValue?, type: String) -> JSONValue {
        guard let value, !value.isNull else { return .null }
        switch type {
        case "date":
            guard let text = value.stringValue, let date = try? Date(text, strategy: .iso8601) else {
                return "<invalid>"
            }
            return .string(Self.humanDuration(now.timeIntervalSince(date)))
        case "integer", "number", "boolean":
            return value
        default:
            return .string(value.stringValue ?? JSONWriter.string(value))
        }
    }

    /// `k8s.io/apimachinery/pkg/util/duration.HumanDuration`.
    static func humanDuration(_ interval: TimeInterval) -> String {
        let seconds = Int(interval)
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let remainder = seconds % 60
            return remainder == 0 ? "\(minutes)m" : "\(minutes)m\(remainder)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let remainder = minutes % 60
            return remainder == 0 ? "\(hours)h" : "\(hours)h\(remainder)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let remainder = hours % 24
            return remainder == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(remainder)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }
}
