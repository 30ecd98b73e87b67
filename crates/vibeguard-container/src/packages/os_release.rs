//! `/etc/os-release` (or `/usr/lib/os-release`, which it usually links to): which distribution
//! and release the image is, so its packages are matched against that release's advisories.

use super::Distribution;
use crate::image::ImageContents;

/// The distribution of the image; `None` without an os-release file (a `scratch` image).
pub fn read(image: &ImageContents) -> Option<Distribution> {
    let (_, file) = image
        .file("etc/os-release")
        .or_else(|| image.file("usr/lib/os-release"))?;
    parse(&String::from_utf8_lossy(&file.content))
}

/// Reads os-release(5) text: `KEY=value` lines, values optionally quoted.
pub fn parse(text: &str) -> Option<Distribution> {
    let mut id = None;
    let mut id_like = Vec::new();
    let mut version_id = None;
    let mut pretty_name = None;
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        let value = value
            .trim()
            .trim_matches('"')
            .trim_matches('\'')
            .to_string();
        match key.trim() {
            "ID" => id = Some(value.to_ascii_lowercase()),
            "ID_LIKE" => id_like = value.split_whitespace().map(str::to_string).collect(),
            "VERSION_ID" => version_id = Some(value).filter(|v| !v.is_empty()),
            "PRETTY_NAME" => pretty_name = Some(value),
            _ => {}
        }
    }
    Some(Distribution {
        id: id.filter(|id| !id.is_empty())?,
        id_like,
        version_id,
        pretty_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_and_bare_values() {
        let debian = parse(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
             VERSION_ID=\"12\"\nID=debian\n",
        )
        .expect("test input");
        assert_eq!(debian.id, "debian");
        assert_eq!(debian.version_id.as_deref(), Some("12"));
        let alpine =
            parse("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n").expect("test input");
        assert_eq!(alpine.version_id.as_deref(), Some("3.19.1"));
        let rocky = parse("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"")
            .expect("test input");
        assert_eq!(rocky.id_like, ["rhel", "centos", "fedora"]);
        let sid =
            parse("PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\n").expect("test input");
        assert_eq!(
            sid.version_id, None,
            "testing and unstable have no release number"
        );
        assert_eq!(parse("NAME=nothing\n"), None);
    }
}
