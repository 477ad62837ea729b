import Foundation
import Yams

/// A kubeconfig file (`clientcmd/api/v1.Config`), the fields kube-mail uses.
public struct KubeConfig: Codable, Hashable, Sendable {
    public struct NamedCluster: Codable, Hashable, Sendable {
        public var name: String
        public var cluster: Cluster
    }

    public struct Cluster: Codable, Hashable, Sendable {
        public var server: String
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    public struct NamedUser: Codable, Hashable, Sendable {
        public var name: String
        public var user: User
    }

    public struct User: Codable, Hashable, Sendable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var exec: ExecConfig?

        enum CodingKeys: String, CodingKey {
            case token
            case tokenFile
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case exec
        }
    }

    /// An exec credential plugin (`client.authentication.k8s.io`).
    public struct ExecConfig: Codable, Hashable, Sendable {
        public struct EnvVar: Codable, Hashable, Sendable {
            public var name: String
            public var value: String
        }

        public var command: String
        public var args: [String]?
        public var env: [EnvVar]?
        public var apiVersion: String?
    }

    public struct NamedContext: Codable, Hashable, Sendable {
        public var name: String
        public var context: Context
    }

    public struct Context: Codable, Hashable, Sendable {
        public var cluster: String
        public var user: String?
        public var namespace: String?
    }

    public var clusters: [NamedCluster]?
    public var users: [NamedUser]?
    public var contexts: [NamedContext]?
    public var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }
}

/// Why a kubeconfig cannot be used; the message says what to fix.
public struct KubeConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension KubeConfig {
    /// Reads the files of `KUBECONFIG` (a `:`-separated list) or the one path given, merged as
    /// kubectl merges them: the first file that names a cluster, user or context wins, and the first
    /// `current-context` set wins. Relative paths inside a file are relative to that file.
    public static func load(paths: [String]) throws(KubeConfigError) -> KubeConfig {
        var merged = KubeConfig()
        var sawFile = false
        for path in paths where !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                if paths.count == 1 { throw KubeConfigError("cannot read the kubeconfig \(path)") }
                continue
            }
            sawFile = true
            var config: KubeConfig
            do {
                config = try YAMLDecoder().decode(KubeConfig.self, from: String(decoding: data, as: UTF8.self))
            } catch {
                throw KubeConfigError("the kubeconfig \(path) is not valid: \(error)")
            }
            config.resolvePaths(relativeTo: (path as NSString).deletingLastPathComponent)
            merged.merge(config)
        }
        guard sawFile else {
            throw KubeConfigError("none of the kubeconfig files exist: \(paths.joined(separator: ":"))")
        }
        return merged
    }

    /// The kubeconfig kubectl would use: `$KUBECONFIG`, else `~/.kube/config`.
    public static func loadDefault(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeConfigError)
        -> KubeConfig
    {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return try load(paths: list.split(separator: ":").map(String.init))
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return try load(paths: [(home as NSString).appendingPathComponent(".kube/config")])
    }

    mutating func merge(_ other: KubeConfig) {
        func add<T>(_ mine: inout [T]?, _ theirs: [T]?, name: (T) -> String) {
            var result = mine ?? []
            let known = Set(result.map(name))
            result += (theirs ?? []).filter { !known.contains(name($0)) }
            mine = result
        }
        add(&clusters, other.clusters, name: \.name)
        add(&users, other.users, name: \.name)
        add(&contexts, other.contexts, name: \.name)
        if currentContext == nil || currentContext?.isEmpty == true { currentContext = other.currentContext }
    }

    mutating func resolvePaths(relativeTo directory: String) {
        func absolute(_ path: String?) -> String? {
            guard let path, !path.isEmpty, !path.hasPrefix("/") else { return path }
            return (directory as NSString).appendingPathComponent(path)
        }
        for index in (clusters ?? []).indices {
            clusters![index].cluster.certificateAuthority = absolute(clusters![index].cluster.certificateAuthority)
        }
        for index in (users ?? []).indices {
            users![index].user.clientCertificate = absolute(users![index].user.clientCertificate)
            users![index].user.clientKey = absolute(users![index].user.clientKey)
            users![index].user.tokenFile = absolute(users![index].user.tokenFile)
        }
    }

    /// The cluster, user and namespace of a context (the current one when nil).
    public func resolve(context name: String? = nil) throws(KubeConfigError) -> ResolvedContext {
        guard let contextName = name ?? currentContext, !contextName.isEmpty else {
            throw KubeConfigError("the kubeconfig has no current-context; pass --context")
        }
        guard let context = contexts?.first(where: { $0.name == contextName })?.context else {
            throw KubeConfigError("context \"\(contextName)\" is not in the kubeconfig")
        }
        guard let cluster = clusters?.first(where: { $0.name == context.cluster })?.cluster else {
            throw KubeConfigError(
                "cluster \"\(context.cluster)\" of context \"\(contextName)\" is not in the kubeconfig"
            )
        }
        var user: User?
        if let userName = context.user, !userName.isEmpty {
            guard let found = users?.first(where: { $0.name == userName })?.user else {
                throw KubeConfigError("user \"\(userName)\" of context \"\(contextName)\" is not in the kubeconfig")
            }
            user = found
        }
        return ResolvedContext(
            name: contextName,
            cluster: cluster,
            user: user,
            namespace: context.namespace ?? "default"
        )
    }

    public struct ResolvedContext: Hashable, Sendable {
        public var name: String
        public var cluster: Cluster
        public var user: User?
        public var namespace: String
    }
}
