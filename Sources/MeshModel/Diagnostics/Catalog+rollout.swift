extension DiagnosticCode {
    // Rollouts (meshctl.dev and Argo Rollout resources).
    public static let rolloutRouteMismatch = DiagnosticCode(
        "MESH0201", .error, "RolloutRouteMismatch",
        "A route a Rollout shifts does not exist, or does not hold exactly its stable and canary subsets of one host.")
    public static let rolloutSubsetWithoutEndpoints = DiagnosticCode(
        "MESH0202", .error, "RolloutSubsetWithoutEndpoints",
        "A Rollout's stable or canary subset selects no endpoint: the rollout could never finish (or never roll back).")
    public static let rolloutSubsetWithoutVersion = DiagnosticCode(
        "MESH0203", .warning, "RolloutSubsetWithoutVersion",
        "A gated Rollout's subset has no `version` label, so its requests cannot be told apart in istio_requests_total's destination_version."
    )
    public static let rolloutFieldNotApplied = DiagnosticCode(
        "MESH0204", .warning, "RolloutFieldNotApplied",
        "An Argo Rollout field that meshctl reads but does not carry out (analysis templates, experiments, scaling, other traffic routers)."
    )

}
