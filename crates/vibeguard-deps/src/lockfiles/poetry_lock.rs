//! Poetry's `poetry.lock`: a TOML array of `[[package]]` tables with `name` and `version`.

use super::{Lockfile, LockfileFormat, toml_package_list};
use crate::ParseError;

/// Parses a poetry.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    toml_package_list(path, text, LockfileFormat::PoetryLock)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfiles::Resolution;
    use crate::manifests::ManifestKind;
    use crate::manifests::requirements_txt;

    #[test]
    fn resolves_by_normalized_name() {
        let text = "version = 1\n\n[[package]]\nname = \"Flask_Cors\"\nversion = \"4.0.0\"\n\n[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\n";
        let lockfile = parse("poetry.lock", text).expect("parses");
        assert_eq!(lockfile.packages.len(), 2);
        let manifest = requirements_txt::parse(
            "requirements.txt",
            "flask-cors>=4\nnumpy\n",
            ManifestKind::RequirementsTxt,
        )
        .expect("parses");
        assert_eq!(
            lockfile.resolve("", &manifest.dependencies[0]),
            Resolution::Locked("4.0.0".into())
        );
        assert_eq!(
            lockfile.resolve("", &manifest.dependencies[1]),
            Resolution::Missing
        );
        assert!(parse("poetry.lock", "[[package]]\nversion = 1\n").is_err());
    }
}
