/// Structural schemas of the built-in kinds, deep enough to find unknown fields the way the
/// real server's typed decoding does (`strict decoding error: unknown field "spec.replica"`),
/// and to reject them in server-side apply.
///
/// Only the field *names* of the common structures are listed (object metadata, pod spec,
/// containers, deployment, service, network policy, PDB, RBAC, ...); the contents of every field
/// not spelled out are accepted as they are, so a valid manifest is never refused.
enum BuiltinSchemas {
    static let any: JSONValue = ["x-kubernetes-preserve-unknown-fields": true]

    static func object(_ names: [String], overrides: [String: JSONValue] = [:]) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for name in names { properties[name] = any }
        for (name, schema) in overrides { properties[name] = schema }
        return ["type": "object", "properties": .object(properties)]
    }

    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    static let objectMeta = object([
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ])

    static let container = object([
        "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources", "resizePolicy",
        "restartPolicy",
        "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle",
        "terminationMessagePath",
        "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty",
    ])

    static let podSpec = object(
        [
            "volumes", "ephemeralContainers", "restartPolicy", "terminationGracePeriodSeconds", "activeDeadlineSeconds",
            "dnsPolicy",
            "nodeSelector", "serviceAccountName", "serviceAccount", "automountServiceAccountToken", "nodeName",
            "hostNetwork", "hostPID",
            "hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname", "subdomain",
            "affinity",
            "schedulerName", "tolerations", "hostAliases", "priorityClassName", "priority", "dnsConfig",
            "readinessGates",
            "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
            "setHostnameAsFQDN",
            "os", "hostUsers", "schedulingGates", "resourceClaims", "resources",
        ],
        overrides: ["containers": array(container), "initContainers": array(container)]
    )

    static let podTemplate = object([], overrides: ["metadata": objectMeta, "spec": podSpec])

    static let kinds: [String: JSONValue] = [
        "/Pod": object(["status"], overrides: ["spec": podSpec]),
        "/ConfigMap": object(["data", "binaryData", "immutable"]),
        "/Secret": object(["data", "stringData", "type", "immutable"]),
        "/ServiceAccount": object(["secrets", "imagePullSecrets", "automountServiceAccountToken"]),
        "/Namespace": object(["spec", "status"]),
        "/Service": object(
            ["status"],
            overrides: [
                "spec": object(
                    [
                        "selector", "clusterIP", "clusterIPs", "type", "externalIPs", "sessionAffinity",
                        "loadBalancerIP", "loadBalancerSourceRanges",
                        "externalName", "externalTrafficPolicy", "healthCheckNodePort", "publishNotReadyAddresses",
                        "sessionAffinityConfig",
                        "ipFamilies", "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "loadBalancerClass",
                        "internalTrafficPolicy",
                        "trafficDistribution",
                    ],
                    overrides: [
                        "ports": array(object(["name", "protocol", "appProtocol", "port", "targetPort", "nodePort"]))
                    ]
                )
            ]
        ),
        "/Event": object([
            "involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "type",
            "eventTime", "series",
            "action", "related", "reportingComponent", "reportingInstance",
        ]),
        "apps/Deployment": object(
            ["status"],
            overrides: [
                "spec": object(
                    [
                        "replicas", "selector", "strategy", "minReadySeconds", "revisionHistoryLimit", "paused",
                        "progressDeadlineSeconds",
                    ],
                    overrides: ["template": podTemplate]
                )
            ]
        ),
        "policy/PodDisruptionBudget": object(
            ["status"],
            overrides: [
                "spec": object(["minAvailable", "selector", "maxUnavailable", "unhealthyPodEvictionPolicy"])
            ]
        ),
        "networking.k8s.io/NetworkPolicy": object(
            [],
            overrides: [
                "spec": object(
                    ["podSelector", "policyTypes"],
                    overrides: [
                        "ingress": array(object(["ports", "from"])), "egress": array(object(["ports", "to"])),
                    ]
                )
            ]
        ),
        "rbac.authorization.k8s.io/Role": object(
            [],
            overrides: [
                "rules": array(object(["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"]))
            ]
        ),
        "rbac.authorization.k8s.io/ClusterRole": object(
            ["aggregationRule"],
            overrides: [
                "rules": array(object(["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"]))
            ]
        ),
        "rbac.authorization.k8s.io/RoleBinding": object(
            [],
            overrides: [
                "subjects": array(object(["kind", "apiGroup", "name", "namespace"])),
                "roleRef": object(["apiGroup", "kind", "name"]),
            ]
        ),
        "rbac.authorization.k8s.io/ClusterRoleBinding": object(
            [],
            overrides: [
                "subjects": array(object(["kind", "apiGroup", "name", "namespace"])),
                "roleRef": object(["apiGroup", "kind", "name"]),
            ]
        ),
        "coordination.k8s.io/Lease": object(
            [],
            overrides: [
                "spec": object([
                    "holderIdentity", "leaseDurationSeconds", "acquireTime", "renewTime", "leaseTransitions",
                    "strategy", "preferredHolder",
                ])
            ]
        ),
        "events.k8s.io/Event": object([
            "eventTime", "series", "reportingController", "reportingInstance", "action", "reason", "regarding",
            "related", "note", "type",
            "deprecatedSource", "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount",
        ]),
        "apiextensions.k8s.io/CustomResourceDefinition": object(
            ["status"],
            overrides: [
                "spec": object(["group", "names", "scope", "versions", "conversion", "preserveUnknownFields"])
            ]
        ),
    ]

    /// The schema of a built-in kind, or nil for kinds not listed (nothing is checked then).
    static func schema(for resource: ResourceType) -> JSONValue? {
        kinds["\(resource.group)/\(resource.kind)"]
    }
}
