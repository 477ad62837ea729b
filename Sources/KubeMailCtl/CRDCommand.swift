import Foundation
import KubeMailAPI

/// `kubemailctl crds`: prints or writes the CRDs (or strict JSON Schemas) generated from the types.
public enum CRDCommand {
    public enum Format: String, CaseIterable, Sendable {
        /// `apiextensions.k8s.io/v1` CustomResourceDefinitions.
        case crd
        /// Draft-7 JSON Schemas for check-jsonschema and kubeconform.
        case jsonSchema = "json-schema"
    }

    public static func files(format: Format) throws -> [CustomResourceDefinitions.GeneratedFile] {
        switch format {
        case .crd: try CustomResourceDefinitions.crdFiles()
        case .jsonSchema: try CustomResourceDefinitions.jsonSchemaFiles()
        }
    }

    /// All files as one stream: YAML documents one after another, or one JSON array.
    public static func render(format: Format) throws -> String {
        let files = try files(format: format)
        switch format {
        case .crd:
            return files.map(\.contents).joined()
        case .jsonSchema:
            return "[\n" + files.map { $0.contents.trimmingCharacters(in: .newlines) }.joined(separator: ",\n")
                + "\n]\n"
        }
    }

    /// Writes one file per kind into `directory`, creating it if needed. Returns the paths written.
    @discardableResult
    public static func write(format: Format, to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try files(format: format).map { file in
            let path = (directory as NSString).appendingPathComponent(file.name)
            try Data(file.contents.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            return path
        }
    }
}
