//! Which files are scanned and what their path says about the secrets in them: tests and
//! fixtures (their keys are test keys), lockfiles (integrity hashes, not secrets), documentation
//! (examples), front-end bundles and public folders (served to every browser).

/// Extensions of files that are never text: images, fonts, archives, media, compiled code.
const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "bmp", "ico", "icns", "tif", "tiff", "psd", "avif",
    "heic", "woff", "woff2", "ttf", "otf", "eot", "zip", "gz", "tgz", "bz2", "xz", "zst", "7z",
    "rar", "tar", "jar", "war", "whl", "egg", "mp3", "mp4", "m4a", "mov", "avi", "mkv", "webm",
    "ogg", "wav", "flac", "pdf", "exe", "dll", "so", "dylib", "a", "o", "obj", "class", "pyc",
    "pyo", "wasm", "node", "bin", "dat", "db", "sqlite", "sqlite3", "parquet", "onnx", "pt", "pth",
    "h5", "pkl", "npy", "npz", "lockb", "DS_Store",
];

/// Whether the extension says the file is binary (it is not read at all).
pub fn has_binary_extension(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        BINARY_EXTENSIONS
            .iter()
            .any(|b| b.eq_ignore_ascii_case(ext))
    })
}

/// Lockfiles: full of integrity hashes; only providers marked `lockfiles` are searched there
/// (a token inside a `resolved` URL is real).
pub fn is_lockfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "bun.lock"
            | "poetry.lock"
            | "Pipfile.lock"
            | "uv.lock"
            | "pdm.lock"
            | "Cargo.lock"
            | "go.sum"
            | "Gemfile.lock"
            | "composer.lock"
            | "flake.lock"
            | "deno.lock"
            | "packages.lock.json"
            | "gradle.lockfile"
    )
}

/// Tests, fixtures, mocks and snapshots: the keys there are made up for the tests. (A real key
/// committed there is still in `--git-history` scans of other paths only if it was copied.)
pub fn is_test_path(path: &str) -> bool {
    vibeguard_project::is_test_path(path)
}

/// Byte ranges of a Rust file's in-file test modules: `#[cfg(test)]` on its own line before a
/// `mod name {` at the same indentation, up to the `}` that closes it at that indentation
/// (how rustfmt lays every module out). Unit tests live there, not in a `tests/` folder, and
/// their keys are made up for the tests just the same. Other languages keep tests in test
/// files, which [`is_test_path`] covers.
pub fn rust_test_modules(path: &str, text: &str) -> Vec<(usize, usize)> {
    if !path.to_ascii_lowercase().ends_with(".rs") || !text.contains("#[cfg(test)]") {
        return Vec::new();
    }
    let mut modules = Vec::new();
    let mut open: Option<(usize, String)> = None;
    let mut attribute: Option<(usize, String)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end();
        let indent = &body[..body.len() - body.trim_start().len()];
        let trimmed = body.trim_start();
        if let Some((from, module_indent)) = &open {
            if trimmed == "}" && indent == module_indent {
                modules.push((*from, offset));
                open = None;
            }
            continue;
        }
        if trimmed == "#[cfg(test)]" {
            attribute = Some((start, indent.to_string()));
            continue;
        }
        if let Some((from, attribute_indent)) = attribute.take() {
            let declaration = trimmed
                .strip_prefix("pub(crate) ")
                .or_else(|| trimmed.strip_prefix("pub "))
                .unwrap_or(trimmed);
            if indent == attribute_indent
                && declaration.starts_with("mod ")
                && trimmed.ends_with('{')
            {
                open = Some((from, attribute_indent));
            } else if trimmed.starts_with("#[") {
                // Another attribute between `#[cfg(test)]` and the module.
                attribute = Some((from, attribute_indent));
            }
        }
    }
    if let Some((from, _)) = open {
        // No closing brace at the module's indentation: the rest of the file.
        modules.push((from, text.len()));
    }
    modules
}

/// Prose and documentation: only provider formats count there, never a generic "secret-named
/// key" (documentation is full of `token: abc123`-style examples).
pub fn is_documentation(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    [
        ".md",
        ".mdx",
        ".markdown",
        ".rst",
        ".adoc",
        ".txt",
        ".html",
        ".htm",
    ]
    .iter()
    .any(|ext| name.ends_with(ext))
        || name == "license"
        || name.starts_with("changelog")
        || is_example_file(&lower, name)
}

/// Example and sample files (`examples-1.json`, `s3.examples.json`, `samples/…`): made-up
/// values showing a request's shape. (`.env.example` is a template that real values leak into,
/// so it stays configuration.)
fn is_example_file(lower: &str, name: &str) -> bool {
    let in_folder = ["examples/", "samples/", "docs/", "doc/"]
        .iter()
        .any(|folder| lower.starts_with(folder) || lower.contains(&format!("/{folder}")));
    let stem = name.split('.').next().unwrap_or(name);
    in_folder
        || name.contains(".examples.")
        || name.contains(".example.json")
        || stem.starts_with("examples")
        || stem.starts_with("sample")
}

/// Source code, where an unquoted value after `=` is an expression, never a literal secret.
pub fn is_code(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".py", ".rb", ".go", ".rs",
        ".java", ".kt", ".kts", ".scala", ".php", ".cs", ".swift", ".dart", ".vue", ".svelte",
        ".astro", ".c", ".cc", ".cpp", ".h", ".hpp", ".m", ".ex", ".exs", ".lua", ".groovy",
        ".ipynb",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// Why a file is served to browsers, if it is: a bundle, a public or static folder, a
/// client-side component.
pub fn client_side_reason(path: &str, text: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let script = [
        ".js", ".mjs", ".jsx", ".ts", ".tsx", ".vue", ".svelte", ".html",
    ]
    .iter()
    .any(|ext| name.ends_with(ext));
    if !script {
        return None;
    }
    if name.contains(".bundle.") || name.contains(".chunk.") || name.ends_with(".min.js") {
        return Some("a front-end bundle");
    }
    let folders = ["public", "static", "www", "assets", "wwwroot", "htdocs"];
    if folders
        .iter()
        .any(|f| lower.starts_with(&format!("{f}/")) || lower.contains(&format!("/{f}/")))
    {
        return Some("a file served as-is to browsers");
    }
    if name.ends_with(".vue") || name.ends_with(".svelte") {
        return Some("a client-side component");
    }
    let head = text.trim_start();
    if head.starts_with("\"use client\"") || head.starts_with("'use client'") {
        return Some("a client component (`use client`)");
    }
    None
}

/// Environment-variable prefixes that front-end build tools inline into the browser bundle.
pub const PUBLIC_ENV_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "NUXT_PUBLIC_",
    "NUXT_ENV_",
    "EXPO_PUBLIC_",
    "GATSBY_",
    "VUE_APP_",
    "PUBLIC_",
    "STORYBOOK_",
];

/// The public prefix of an environment variable named on this line, when there is one.
pub fn public_env_prefix(line: &str) -> Option<&'static str> {
    PUBLIC_ENV_PREFIXES.iter().copied().find(|prefix| {
        line.match_indices(prefix).any(|(at, _)| {
            // `PUBLIC_` must start the name, not end `NEXT_PUBLIC_`-less words like `REPUBLIC_`.
            at == 0
                || !line.as_bytes()[at - 1].is_ascii_alphanumeric()
                    && line.as_bytes()[at - 1] != b'_'
        })
    })
}

/// A file whose lines are so long on average that it is minified or generated.
pub fn looks_minified(text: &str) -> bool {
    let lines = text.lines().count().max(1);
    text.len() > 4096 && text.len() / lines > 400
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_classes() {
        assert!(is_test_path("tests/test_app.py"));
        assert!(is_test_path("src/__tests__/auth.js"));
        assert!(is_test_path("api/user.spec.ts"));
        assert!(is_test_path("pkg/server_test.go"));
        assert!(!is_test_path("src/attestation.py"));
        assert!(!is_test_path("src/contest/app.js"));
        assert!(is_test_path("node_modules/url/test.js"));
        assert!(!is_test_path("src/testimonials.js"));
        assert!(is_lockfile("web/package-lock.json"));
        assert!(!is_lockfile("package.json"));
        assert!(is_documentation("docs/setup.md"));
        assert!(is_documentation(
            "aws-sdk/apis/kms-2014-11-01.examples.json"
        ));
        assert!(is_documentation(
            "botocore/data/kms/2014-11-01/examples-1.json"
        ));
        assert!(!is_documentation(".env.example"));
        assert!(!is_documentation("src/config.json"));
        assert!(has_binary_extension("static/logo.PNG"));
        assert!(!has_binary_extension("src/app.js"));
    }

    #[test]
    fn client_side_files_and_variables() {
        assert!(client_side_reason("public/app.js", "").is_some());
        assert!(client_side_reason("web/static/js/main.chunk.js", "").is_some());
        assert!(client_side_reason("src/App.vue", "").is_some());
        assert!(client_side_reason("app/page.tsx", "'use client'\nexport default").is_some());
        assert!(client_side_reason("server/app.js", "const x = 1").is_none());
        assert!(client_side_reason("public/robots.txt", "").is_none());
        assert_eq!(
            public_env_prefix("NEXT_PUBLIC_STRIPE=1"),
            Some("NEXT_PUBLIC_")
        );
        assert_eq!(
            public_env_prefix("const k = import.meta.env.VITE_KEY"),
            Some("VITE_")
        );
        assert_eq!(public_env_prefix("REPUBLIC_KEY=1"), None);
    }

    #[test]
    fn rust_test_modules_cover_the_module_and_nothing_else() {
        let text = "const KEY: &str = \"live\";\n\n#[cfg(test)]\n#[allow(clippy::all)]\nmod tests {\n    fn t() {\n        let key = \"made-up\";\n    }\n}\n\nfn after() {}\n";
        let modules = rust_test_modules("src/lib.rs", text);
        assert_eq!(modules.len(), 1);
        let (from, to) = modules[0];
        let inside = &text[from..to];
        assert!(inside.starts_with("#[cfg(test)]") && inside.contains("made-up"));
        assert!(!inside.contains("live") && !inside.contains("after"));
        // Only Rust files, and only modules: a `#[cfg(test)]` function is not a module.
        assert!(rust_test_modules("src/lib.py", text).is_empty());
        let function = "#[cfg(test)]\nfn helper() {\n    let key = \"x\";\n}\n";
        assert!(rust_test_modules("src/lib.rs", function).is_empty());
        // An unclosed module runs to the end of the file.
        let unclosed = "fn a() {}\n#[cfg(test)]\nmod tests {\n    fn t() {}\n";
        assert_eq!(
            rust_test_modules("a.rs", unclosed),
            vec![(10, unclosed.len())]
        );
    }
}
