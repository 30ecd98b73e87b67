//! `vibeguard image IMAGE [--project DIR]`: a built container image alone — its distribution
//! and language packages against the local OSV data (VG610), the credentials its layers and
//! configuration carry (VG611) and the user it runs as (VG612). The project's configuration
//! (gate, baseline, disabled rules, advisory data) applies. `--docker REF` saves the image
//! from the local Docker daemon first (`docker save`, into a temporary file removed after).

use std::path::Path;
use std::process::Command;

use anyhow::Context;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::outputs::ArgOrder;

/// Scans the image and writes the reports.
pub fn run(
    global: &GlobalArgs,
    order: &ArgOrder,
    image: Option<&Path>,
    docker: Option<&str>,
    project: &Path,
) -> anyhow::Result<Outcome> {
    let saved = match docker {
        Some(reference) => Some(docker_save(reference)?),
        None => None,
    };
    let (path, label) = match (&saved, image) {
        (Some((_, file)), _) => (file.clone(), docker.unwrap_or_default().to_string()),
        (None, Some(image)) => (image.to_path_buf(), image.display().to_string()),
        (None, None) => anyhow::bail!("give an image file or folder, or --docker IMAGE"),
    };
    // A path that does not exist is refused where every audit's image is checked.
    let scope = super::audit::Scope {
        image: Some(path),
        image_only: true,
        ..super::audit::Scope::default()
    };
    let report = super::audit::audit_project(global, order, project, &label, scope)?;
    Ok(Outcome::of(&report))
}

/// Runs `docker save REFERENCE -o FILE` into a new temporary folder (kept alive by the
/// returned guard).
fn docker_save(reference: &str) -> anyhow::Result<(tempfile::TempDir, std::path::PathBuf)> {
    // A reference is `name[:tag][@digest]`; one starting with `-` would be read as an option.
    if reference.is_empty()
        || reference.starts_with('-')
        || reference
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        anyhow::bail!("`{reference}` is not an image reference (name[:tag][@digest])");
    }
    let folder = tempfile::Builder::new()
        .prefix("vibeguard-image-")
        .tempdir()
        .context("cannot create a temporary folder for the saved image")?;
    let file = folder.path().join("image.tar");
    let output = Command::new("docker")
        .arg("save")
        .arg("-o")
        .arg(&file)
        .arg(reference)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
            "--docker needs the `docker` command, which is not on PATH: save the image where \
             Docker runs (`docker save {reference} -o app.tar`) and give the file"
        ),
        Err(error) => return Err(error).context("cannot run `docker save`"),
    };
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        let said: String = said.lines().take(5).collect::<Vec<_>>().join(" ");
        anyhow::bail!(
            "`docker save {reference}` failed ({}): {said}",
            output.status
        );
    }
    Ok((folder, file))
}
