/// The built-in kinds the fake API server serves from the start.
public enum BuiltinResources {
    static let age = PrinterColumn(
        name: "Age",
        type: "date",
        jsonPath: ".metadata.creationTimestamp",
        description: "CreationTimestamp is a timestamp representing the server time when this object was created."
    )

    public static let namespace = ResourceType(
        group: "",
        version: "v1",
        kind: "Namespace",
        plural: "namespaces",
        namespaced: false,
        shortNames: ["ns"],
        hasStatus: true,
        printerColumns: [
            PrinterColumn(
                name: "Status",
                type: "string",
                jsonPath: ".status.phase",
                description: "The status of the namespace"
            ), age,
        ]
    )
    public static let pod = ResourceType(
        group: "",
        version: "v1",
        kind: "Pod",
        plural: "pods",
        namespaced: true,
        shortNames: ["po"],
        categories: ["all"],
        hasStatus: true,
        hasLog: true,
        printerColumns: [
            PrinterColumn(
                name: "Ready",
                type: "string",
                jsonPath: "",
                description: "The aggregate readiness state of this pod for accepting traffic.",
                computed: .podReady
            ),
            PrinterColumn(
                name: "Status",
                type: "string",
                jsonPath: ".status.phase",
                description: "The aggregate status of the containers in this pod.",
                computed: .podStatus
            ),
            PrinterColumn(
                name: "Restarts",
                type: "string",
                jsonPath: "",
                description: "The number of times the containers in this pod have been restarted.",
                computed: .podRestarts
            ),
            age,
            PrinterColumn(
                name: "IP",
                type: "string",
                jsonPath: ".status.podIP",
                description: "The IP address assigned to the pod",
                priority: 1
            ),
            PrinterColumn(
                name: "Node",
                type: "string",
                jsonPath: ".spec.nodeName",
                description: "The name of the node assigned to the pod",
                priority: 1
            ),
        ]
    )
    public static let secret = ResourceType(
        group: "",
        version: "v1",
        kind: "Secret",
        plural: "secrets",
        namespaced: true,
        printerColumns: [
            PrinterColumn(name: "Type", type: "string", jsonPath: ".type", description: "The type of the secret"),
            PrinterColumn(
                name: "Data",
                type: "integer",
                jsonPath: "",
                description: "The number of entries in the secret",
                computed: .dataCount
            ), age,
        ]
    )
    public static let configMap = ResourceType(
        group: "",
        version: "v1",
        kind: "ConfigMap",
        plural: "configmaps",
        namespaced: true,
        shortNames: ["cm"],
        printerColumns: [
            PrinterColumn(
                name: "Data",
                type: "integer",
                jsonPath: "",
                description: "Number of data entries",
                computed: .dataCount
            ), age,
        ]
    )
    public static let service = ResourceType(
        group: "",
        version: "v1",
        kind: "Service",
        plural: "services",
        namespaced: true,
        shortNames: ["svc"],
        categories: ["all"],
        hasStatus: true,
        printerColumns: [
            PrinterColumn(name: "Type", type: "string", jsonPath: ".spec.type", description: "The type of the service"),
            PrinterColumn(
                name: "Cluster-IP",
                type: "string",
                jsonPath: ".spec.clusterIP",
                description: "The cluster IP of the service"
            ),
            PrinterColumn(
                name: "Port(s)",
                type: "string",
                jsonPath: "",
                description: "The ports of the service",
                computed: .servicePorts
            ),
            age,
        ]
    )
    public static let serviceAccount = ResourceType(
        group: "",
        version: "v1",
        kind: "ServiceAccount",
        plural: "serviceaccounts",
        namespaced: true,
        shortNames: ["sa"],
        printerColumns: [age]
    )
    public static let coreEvent = ResourceType(
        group: "",
        version: "v1",
        kind: "Event",
        plural: "events",
        namespaced: true,
        shortNames: ["ev"],
        printerColumns: [
            PrinterColumn(name: "Reason", type: "string", jsonPath: ".reason"),
            PrinterColumn(name: "Message", type: "string", jsonPath: ".message"), age,
        ]
    )
    public static let deployment = ResourceType(
        group: "apps",
        version: "v1",
        kind: "Deployment",
        plural: "deployments",
        namespaced: true,
        shortNames: ["deploy"],
        categories: ["all"],
        hasStatus: true,
        printerColumns: [
            PrinterColumn(
                name: "Ready",
                type: "string",
                jsonPath: "",
                description: "Number of the pod with ready state",
                computed: .deploymentReady
            ),
            PrinterColumn(name: "Up-to-date", type: "integer", jsonPath: ".status.updatedReplicas"),
            PrinterColumn(name: "Available", type: "integer", jsonPath: ".status.availableReplicas"), age,
        ]
    )
    public static let podDisruptionBudget = ResourceType(
        group: "policy",
        version: "v1",
        kind: "PodDisruptionBudget",
        plural: "poddisruptionbudgets",
        namespaced: true,
        shortNames: ["pdb"],
        hasStatus: true,
        printerColumns: [age]
    )
    public static let networkPolicy = ResourceType(
        group: "networking.k8s.io",
        version: "v1",
        kind: "NetworkPolicy",
        plural: "networkpolicies",
        namespaced: true,
        shortNames: ["netpol"],
        printerColumns: [age]
    )
    public static let clusterRole = ResourceType(
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRole",
        plural: "clusterroles",
        namespaced: false,
        printerColumns: [age]
    )
    public static let clusterRoleBinding = ResourceType(
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRoleBinding",
        plural: "clusterrolebindings",
        namespaced: false,
        printerColumns: [age]
    )
    public static let role = ResourceType(
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "Role",
        plural: "roles",
        namespaced: true,
        printerColumns: [age]
    )
    public static let roleBinding = ResourceType(
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "RoleBinding",
        plural: "rolebindings",
        namespaced: true,
        printerColumns: [age]
    )
    public static let lease = ResourceType(
        group: "coordination.k8s.io",
        version: "v1",
        kind: "Lease",
        plural: "leases",
        namespaced: true,
        printerColumns: [PrinterColumn(name: "Holder", type: "string", jsonPath: ".spec.holderIdentity"), age]
    )
    public static let event = ResourceType(
        group: "events.k8s.io",
        version: "v1",
        kind: "Event",
        plural: "events",
        namespaced: true,
        shortNames: ["ev"],
        printerColumns: [age]
    )
    public static let customResourceDefinition = ResourceType(
        group: "apiextensions.k8s.io",
        version: "v1",
        kind: "CustomResourceDefinition",
        plural: "customresourcedefinitions",
        namespaced: false,
        shortNames: ["crd", "crds"],
        categories: ["api-extensions"],
        hasStatus: true,
        printerColumns: [PrinterColumn(name: "Created At", type: "string", jsonPath: ".metadata.creationTimestamp")]
    )

    public static let all: [ResourceType] = [
        namespace, pod, secret, configMap, service, serviceAccount, coreEvent, deployment, podDisruptionBudget,
        networkPolicy,
        clusterRole, clusterRoleBinding, role, roleBinding, lease, event, customResourceDefinition,
    ]
}
