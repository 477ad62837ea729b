/// The version of kube-mail's executables.
public enum KubeMailVersion {
    public static let current = "0.1.0-dev"
}
