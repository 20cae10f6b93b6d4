"""Every number the paper prints that this package compares with or builds on, and the names of
its two studies. Nothing else in the package or its scripts spells these values out."""

# The paper's two megastudies: config role -> (name as printed, figure of its arm rates)
ROLES = {"walmart": ("Walmart", 7), "penn_geisinger": ("Penn-Geisinger", 8)}
ROLE_NAMES = {role: name for role, (name, _) in ROLES.items()}
STUDY_ORDER = ("Walmart", "Penn-Geisinger")  # the paper's row order in Tables 2 and 4

# Table 1 as printed: (Ybar^A, Ybar^B, Ybar^pi) per experiment of Section 2
TABLE1 = {1: (24.5, 26.5, 26.9), 2: (19.5, 31.5, 31.5)}

# Table 2 as printed: observations, arms, covariates total / continuous / discrete
TABLE2 = {
    "Walmart": (689_693, 23, 12, 5, 7),
    "Penn-Geisinger": (74_811, 20, 22, 7, 15),
}

# Table 4: value (%), bootstrap SE, and "Our Model", per policy in the paper's column order
TABLE4_POLICIES = ["Best Uniform", "OLS", "S-XGB", "T-XGB", "MACF", "PT-CF"]
TABLE4 = {
    "Walmart": dict(zip(TABLE4_POLICIES, [31.2, 31.5, 31.4, 31.7, 32.4, 32.2]),
                    se=dict(zip(TABLE4_POLICIES, [0.5, 0.6, 0.6, 0.6, 0.6, 0.6])), our_model=31.6),
    "Penn-Geisinger": dict(zip(TABLE4_POLICIES, [31.5, 32.5, 34.9, 34.8, 37.3, 34.1]),
                           se=dict(zip(TABLE4_POLICIES, [1.4, 1.7, 1.8, 1.7, 1.8, 1.6])), our_model=37.2),
}

# Section 5.2 and Section 6: the estimates from T-XGB and the stratified procedure
MOMENTS = {
    "Walmart": dict(sigma=0.078, rho=0.61, s=0.007, sigma_shared=0.078),
    "Penn-Geisinger": dict(sigma=0.267, rho=0.80, s=0.007, sigma_shared=0.089),
}
# Table 4's "Our Model" minus Best Uniform (percentage points) and Table 5's "Original" gains
OUR_MODEL_PP = {k: TABLE4[k]["our_model"] - TABLE4[k]["Best Uniform"] for k in TABLE4}
ORIGINAL_GAIN_PP = {"Walmart": 0.413, "Penn-Geisinger": 5.714}

# Table 5 (gains in percentage points; columns: the parameter taken from the other study)
TABLE5 = {
    "Penn-Geisinger": dict(Original=5.714, sigma=-0.029, rho=11.311, sigma_eps=4.890, m=5.964),
    "Walmart": dict(Original=0.413, sigma=10.073, rho=-0.039, sigma_eps=0.477, m=0.407),
}
# Table 6 (gains in percentage points after a 1% favourable change)
TABLE6 = {
    "Penn-Geisinger": {"Original": 5.714, "1% lower s": 5.723, "1% higher sigma": 5.888, "1% lower rho": 6.014,
                       "1% lower sigma_eps": 5.827},
    "Walmart": {"Original": 0.413, "1% lower s": 0.399, "1% higher sigma": 0.416, "1% lower rho": 0.420,
                "1% lower sigma_eps": 0.375},
}
# Section 5.1: the best arm's training vaccination rate ("32% ... and 33%")
BEST_ARM_RATE = {"Walmart": 0.32, "Penn-Geisinger": 0.33}
# The paper's own Algorithm 2 settings are not printed; n = 1000 simulated people is what its
# published Table 5 implies (analyses/paper_mode_fit.py; docs/validation.md shows the fit over n).
ALGORITHM2_N = 1000


# The paper's holdout sizes (30% of Table 2's observations) and arms, for the paper-parameter mode
HOLDOUT_N = {k: round(0.3 * v[0]) for k, v in TABLE2.items()}
ARMS = {k: v[1] for k, v in TABLE2.items()}

# Table 3: the personalization methods' properties (descriptive; the last column says where each lives here)
TABLE3 = [
    dict(method="OLS", models="1", nonlinearities="no", objective="prediction",
         here="actionable.stats.learners.fit_predict_ols (fully interacted, computed per arm)"),
    dict(method="S-XGB", models="1", nonlinearities="yes", objective="prediction",
         here="actionable.stats.learners.fit_predict_slearner"),
    dict(method="T-XGB", models="# arms", nonlinearities="yes", objective="prediction",
         here="actionable.stats.learners.fit_predict_tlearner_arms (a group of arms per job)"),
    dict(method="MACF", models="1", nonlinearities="yes", objective="treatment effects",
         here="grf::multi_arm_causal_forest via actionable.stats.forests.fit_macf"),
    dict(method="PT", models="1", nonlinearities="yes", objective="optimal policy",
         here="actionable.stats.policy_tree.fit: the exact binned search (actionable.stats.policy_search) or policytree::policy_tree, depth 2"),
]
