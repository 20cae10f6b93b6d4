# Install the CRAN packages the forests need, once; skipped when present.
pkgs <- c("grf", "policytree", "DiceKriging")
have <- rownames(installed.packages())
need <- setdiff(pkgs, have)
if (length(need)) {
  message("[setup] installing from CRAN: ", paste(need, collapse = ", "))
  Sys.setenv(MAKEFLAGS = paste0("-j", max(1L, parallel::detectCores())))
  lib <- .libPaths()[1]
  if (file.access(lib, 2) != 0) {  # no write access (no root): the user's own library
    lib <- Sys.getenv("R_LIBS_USER")
    dir.create(lib, recursive = TRUE, showWarnings = FALSE)
    .libPaths(c(lib, .libPaths()))
    message("[setup] site library not writable: installing into ", lib)
  }
  install.packages(need, repos = "https://cloud.r-project.org", lib = lib,
                   Ncpus = max(1L, parallel::detectCores()), quiet = TRUE)
  still <- setdiff(pkgs, rownames(installed.packages()))
  if (length(still)) stop("CRAN install failed for: ", paste(still, collapse = ", "))
} else {
  message("[setup] CRAN packages present: ", paste(pkgs, collapse = ", "))
}
