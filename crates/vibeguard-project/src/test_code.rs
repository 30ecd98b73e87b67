//! Which files are test code: by the conventions of the common test runners (folders such as
//! `test/`, `tests/`, `__tests__/`, `spec/`, `cypress/`, `e2e/`, `fixtures/`; names such as
//! `*.test.ts`, `*.spec.js`, `*.cy.js`, `test_*.py`, `*_test.py`, `*_test.go`, `conftest.py`,
//! `setupTests.js`) and by the project's own globs (`[code] tests`). Findings in test code say
//! nothing about what runs in production: the engines report them apart, or not at all.

use globset::GlobSet;

use crate::ProjectError;
use crate::tree::compile_globs;

/// Folders whose whole content is test code or test data.
const TEST_FOLDERS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__mocks__",
    "__snapshots__",
    "__fixtures__",
    "spec",
    "specs",
    "fixtures",
    "fixture",
    "testdata",
    "test-data",
    "test_data",
    "e2e",
    "cypress",
    "playwright",
    "mocks",
];

/// Whether `path` (relative, `/`-separated) is test code by the common conventions.
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let in_folder = |folder: &str| {
        lower.starts_with(&format!("{folder}/")) || lower.contains(&format!("/{folder}/"))
    };
    TEST_FOLDERS.iter().any(|folder| in_folder(folder))
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.contains(".cy.")
        || name.contains(".e2e.")
        || name.contains("_test.")
        || name.starts_with("test_")
        || name == "conftest.py"
        || name.ends_with(".snap")
        || name.starts_with("setuptests.")
        || name.starts_with("jest.setup.")
        || name.starts_with("vitest.setup.")
        || matches!(
            name.split('.').next(),
            Some("test" | "tests" | "spec" | "testing" | "testutils" | "test_utils")
        ) && name.contains('.')
}

/// The test-code classifier of one project: the conventions plus its own globs.
#[derive(Debug, Clone, Default)]
pub struct TestCode {
    extra: Option<GlobSet>,
}

impl TestCode {
    /// The conventions plus `globs` (gitignore-like: `qa/` is everything under `qa`,
    /// `*.stories.tsx` matches at any depth).
    pub fn new(globs: &[String]) -> Result<TestCode, ProjectError> {
        Ok(TestCode {
            extra: compile_globs(globs)?,
        })
    }

    /// Whether `path` is test code.
    pub fn contains(&self, path: &str) -> bool {
        is_test_path(path) || self.extra.as_ref().is_some_and(|set| set.is_match(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventions_of_the_common_test_runners() {
        for path in [
            "tests/test_app.py",
            "src/__tests__/auth.js",
            "api/user.spec.ts",
            "pkg/server_test.go",
            "cypress/e2e/login.cy.js",
            "web/checkout.cy.ts",
            "test/unit/db.js",
            "app/conftest.py",
            "src/setupTests.js",
            "e2e/flows.ts",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in [
            "src/attestation.py",
            "src/contest/app.js",
            "src/latest.js",
            "src/routes/testimonials.js",
            "app/spectrum.py",
        ] {
            assert!(!is_test_path(path), "{path}");
        }
    }

    #[test]
    fn project_globs_add_to_the_conventions() {
        let tests = TestCode::new(&["qa/".into(), "*.stories.tsx".into()]).expect("globs");
        assert!(tests.contains("qa/load/run.js"));
        assert!(tests.contains("src/ui/Button.stories.tsx"));
        assert!(tests.contains("test/a.js"));
        assert!(!tests.contains("src/app.js"));
        assert!(TestCode::new(&["[".into()]).is_err());
    }
}
