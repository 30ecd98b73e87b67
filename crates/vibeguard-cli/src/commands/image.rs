//! `vibeguard image IMAGE [--project DIR]`: a built container image alone — its distribution
//! and language packages against the local OSV data (VG610), the credentials its layers and
//! configuration carry (VG611) and the user it runs as (VG612). The project's configuration
//! (gate, baseline, disabled rules, advisory data) applies.

use std::path::Path;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::outputs::ArgOrder;

/// Scans the image and writes the reports.
pub fn run(
    global: &GlobalArgs,
    order: &ArgOrder,
    image: &Path,
    project: &Path,
) -> anyhow::Result<Outcome> {
    if !image.exists() {
        anyhow::bail!(
            "{} does not exist: give a `docker save` archive (.tar, .tar.gz), an OCI image \
             layout (folder or archive) or an unpacked root filesystem folder",
            image.display()
        );
    }
    let scope = super::audit::Scope {
        image: Some(image.to_path_buf()),
        image_only: true,
        ..super::audit::Scope::default()
    };
    let report =
        super::audit::audit_project(global, order, project, &image.display().to_string(), scope)?;
    Ok(Outcome::of(&report))
}
