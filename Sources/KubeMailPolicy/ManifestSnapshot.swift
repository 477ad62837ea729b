import KubeMailAPI
import Yams

/// Cluster state read from manifest files: the policies, servers, Secrets, Namespaces and Pods
/// they define. Used by `kubemailctl simulate` and by the relay's standalone mode.
public struct ManifestSnapshot: Sendable {
    public var inventory: InMemoryInventory
    public var pods: [CoreV1.Pod] = []
    /// Objects that could not be read, with why. They are left out, as the API server would refuse them.
    public var problems: [String] = []

    public init(defaultNamespace: String = "default") {
        inventory = InMemoryInventory(defaultNamespace: defaultNamespace)
    }

    /// A YAML syntax error: the file cannot be used at all.
    public struct SyntaxError: Error, CustomStringConvertible {
        public var file: String
        public var detail: String
        public var description: String { "\(file): \(detail)" }
    }

    /// Adds every object of one multi-document YAML file.
    public mutating func add(yaml: String, file: String) throws(SyntaxError) {
        let documents: [Node]
        do {
            documents = try ManifestCodec.documents(yaml: yaml)
        } catch {
            throw SyntaxError(file: file, detail: error.description)
        }
        for (index, node) in documents.enumerated() {
            let place = "\(file) (document \(index + 1))"
            do {
                let typeMeta = try ManifestCodec.decode(KubeMailObject.TypeMeta.self, yamlNode: node)
                switch (typeMeta.apiVersion, typeMeta.kind) {
                case ("v1", "Pod"):
                    var pod = try ManifestCodec.decode(CoreV1.Pod.self, yamlNode: node)
                    pod.metadata.namespace = inventory.namespace(of: pod.metadata)
                    pods.append(pod)
                case ("v1", "Secret"): inventory.add(try ManifestCodec.decode(CoreV1.Secret.self, yamlNode: node))
                case ("v1", "Namespace"): inventory.add(try ManifestCodec.decode(CoreV1.Namespace.self, yamlNode: node))
                default:
                    guard let object = try KubeMailObject.decode(yamlNode: node) else { continue }
                    if let problem = object.validate().first {
                        problems.append("\(place): \(object.resource.qualifiedName) is invalid: \(problem)")
                        continue
                    }
                    switch object {
                    case .emailPolicy(let policy): inventory.add(policy)
                    case .smtpServer(let server): inventory.add(server)
                    case .mailRelay: break
                    }
                }
            } catch {
                problems.append("\(place): \(error)")
            }
        }
    }

    /// The Pod of a namespace and name, if the manifests define it.
    public func pod(namespace: String, name: String) -> CoreV1.Pod? {
        pods.first { $0.metadata.namespace == namespace && $0.metadata.name == name }
    }
}
