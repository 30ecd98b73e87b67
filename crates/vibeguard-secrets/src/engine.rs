//! One run of the secrets engine over a project: which files are read, the scan of each (in
//! parallel), the optional history scan, and the findings — every credential redacted to its
//! first four characters, its length and a hash before it leaves this module.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use rayon::prelude::*;
use vibeguard_core::redact::{describe_secret, short_hash};
use vibeguard_core::{
    ChecklistId, CodeFrame, Coverage, EngineError, EngineId, EngineOutput, EngineRun, Evidence,
    Finding, Location, RuleApplicability, Severity, Span,
};
use vibeguard_project::ProjectTree;

use crate::catalog::{Catalog, Provider};
use crate::files;
use crate::history::{self, HistoryHit, HistoryLimits};
use crate::rules::{
    generic_secret, hardcoded_credential, secret_in_history, weak_stored_password_hash,
};
use crate::scan::{self, Hit, TextContext};
use vibeguard_core::password_hash::{self, HashStrength};

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct SecretsOptions {
    /// Also scan every commit's added lines (`--git-history`).
    pub history: bool,
    /// Files larger than this are not read (recorded as an error).
    pub max_file_size: u64,
    /// Limits of the history scan.
    pub history_limits: HistoryLimits,
}

impl Default for SecretsOptions {
    fn default() -> Self {
        SecretsOptions {
            history: false,
            max_file_size: 32 * 1024 * 1024,
            history_limits: HistoryLimits::default(),
        }
    }
}

/// Bytes read from the head of a file to tell binary from text.
const SNIFF_BYTES: usize = 8 * 1024;

/// What reading one file gave.
enum FileScan {
    /// Secrets, and the password hashes (line, strength) the file holds.
    Hits(String, Vec<Hit>, String, Vec<(u32, HashStrength)>),
    Skipped,
    Error(EngineError),
}

/// What a run found.
#[derive(Debug)]
pub struct SecretsRun {
    /// The run record and the findings (every secret described, never shown).
    pub output: EngineOutput,
    /// The secret values found, for the run's redactor: wherever another engine's evidence
    /// shows one of them, it is masked.
    pub values: Vec<String>,
}

/// Runs the engine. `enabled` says which rule codes run.
pub fn run(
    tree: &ProjectTree,
    enabled: &dyn Fn(&str) -> bool,
    options: &SecretsOptions,
) -> SecretsRun {
    let started = Instant::now();
    let mut run = EngineRun::new(EngineId::Secrets);
    let catalog = match Catalog::builtin() {
        Ok(catalog) => catalog,
        Err(error) => {
            run.errors.push(EngineError {
                source: "secrets catalog".into(),
                line: None,
                message: error,
            });
            return SecretsRun {
                output: EngineOutput {
                    run,
                    findings: Vec::new(),
                },
                values: Vec::new(),
            };
        }
    };
    let tree_on = enabled(&hardcoded_credential::META.code)
        || enabled(&generic_secret::META.code)
        || enabled(&weak_stored_password_hash::META.code);
    let history_on = options.history && enabled(&secret_in_history::META.code);

    let candidates: Vec<&vibeguard_project::ProjectFile> = tree
        .files()
        .filter(|file| !files::has_binary_extension(&file.path) && !files::is_test_path(&file.path))
        .collect();
    let scanned: Vec<FileScan> = if tree_on {
        candidates
            .par_iter()
            .map(|file| scan_file(tree, catalog, &file.path, file.size, options))
            .collect()
    } else {
        Vec::new()
    };

    let mut findings = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut in_tree: HashMap<String, usize> = HashMap::new();
    let mut files_read = 0u64;
    let mut hashes_seen = 0usize;
    for result in scanned {
        match result {
            FileScan::Hits(path, hits, text, hashes) => {
                files_read += 1;
                hashes_seen += hashes.len();
                if enabled(&weak_stored_password_hash::META.code) {
                    for (line, strength) in &hashes {
                        if strength.weakness.is_some() {
                            findings
                                .push(weak_stored_password_hash::finding(&path, *line, strength));
                        }
                    }
                }
                for hit in hits {
                    let provider = &catalog.providers[hit.provider];
                    let rule = rule_for(provider);
                    if !enabled(&rule.code) {
                        continue;
                    }
                    let finding = tree_finding(rule, provider, &path, &hit, &text);
                    values.push(hit.secret.clone());
                    in_tree.insert(short_hash(&hit.secret), findings.len());
                    findings.push(finding);
                }
            }
            FileScan::Skipped => files_read += 1,
            FileScan::Error(error) => run.errors.push(error),
        }
    }
    run.coverage = Coverage {
        files: files_read,
        ..Coverage::default()
    };
    for rule in [&hardcoded_credential::META, &generic_secret::META] {
        if !enabled(&rule.code) {
            continue;
        }
        if files_read > 0 {
            run.rules_applied.push(rule.code.clone());
        } else {
            run.not_applicable.push(RuleApplicability {
                code: rule.code.clone(),
                item: None,
                reason: "no text file to scan".into(),
                subject_absent: false,
            });
        }
    }

    if enabled(&weak_stored_password_hash::META.code) {
        if hashes_seen > 0 {
            run.rules_applied
                .push(weak_stored_password_hash::META.code.clone());
        } else {
            run.not_applicable.push(RuleApplicability {
                code: weak_stored_password_hash::META.code.clone(),
                item: None,
                reason: "no password hash stored in the project's files (seeds, fixtures, dumps)"
                    .into(),
                subject_absent: true,
            });
        }
    }

    if enabled(&secret_in_history::META.code) {
        if history_on {
            let selected = |path: &str| tree.is_selected(path);
            let scan = history::scan(tree.root(), catalog, &selected, options.history_limits);
            for note in &scan.notes {
                run.errors.push(EngineError {
                    source: "git history".into(),
                    line: None,
                    message: note.clone(),
                });
            }
            if scan.scanned {
                run.rules_applied.push(secret_in_history::META.code.clone());
                values.extend(scan.hits.iter().map(|hit| hit.hit.secret.clone()));
                let hits = not_judged_in_tree(tree, scan.hits, &in_tree, options.max_file_size);
                let from_history = history_findings(catalog, hits, &in_tree, &mut findings);
                findings.extend(from_history);
            } else {
                run.not_applicable.push(RuleApplicability {
                    code: secret_in_history::META.code.clone(),
                    item: None,
                    reason: scan
                        .notes
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "the history could not be read".into())
                        .into(),
                    subject_absent: false,
                });
            }
        } else {
            run.not_applicable.push(RuleApplicability {
                code: secret_in_history::META.code.clone(),
                item: None,
                reason: "the git history was not scanned (run with --git-history)".into(),
                subject_absent: false,
            });
        }
    }
    run.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    values.sort();
    values.dedup();
    SecretsRun {
        output: EngineOutput { run, findings },
        values,
    }
}

fn scan_file(
    tree: &ProjectTree,
    catalog: &Catalog,
    path: &str,
    size: u64,
    options: &SecretsOptions,
) -> FileScan {
    if size > options.max_file_size {
        return FileScan::Error(EngineError {
            source: path.to_string(),
            line: None,
            message: format!(
                "not scanned for secrets: {} MiB is over the {} MiB limit",
                size / (1024 * 1024),
                options.max_file_size / (1024 * 1024)
            ),
        });
    }
    let bytes = match read_capped(&tree.absolute(path), options.max_file_size) {
        Ok(bytes) => bytes,
        Err(error) => {
            return FileScan::Error(EngineError {
                source: path.to_string(),
                line: None,
                message: format!("cannot be read: {error}"),
            });
        }
    };
    if bytes[..bytes.len().min(SNIFF_BYTES)].contains(&0) {
        // Binary content under a text-like name; nothing a person typed.
        return FileScan::Skipped;
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        // Latin-1 and other encodings: credentials are ASCII, so a lossy view finds them.
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    };
    let context = TextContext::of(path, &text);
    let hits = scan::scan_text(catalog, &text, &context);
    let hashes = stored_hashes(path, &text);
    if hits.is_empty() && hashes.is_empty() {
        return FileScan::Skipped;
    }
    FileScan::Hits(path.to_string(), hits, text, hashes)
}

/// The password hashes a file holds, with their lines; documentation's examples are not the
/// app's storage.
fn stored_hashes(path: &str, text: &str) -> Vec<(u32, HashStrength)> {
    // Cheap prefilter: every self-describing format has a `$`.
    if files::is_documentation(path) || !text.contains('$') {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if !line.contains('$') {
            continue;
        }
        for strength in password_hash::hashes_in(line) {
            found.push((u32::try_from(index + 1).unwrap_or(u32::MAX), strength));
        }
    }
    found
}

/// The secrets in one text that is not a project file (a file of a container image layer, an
/// image's configuration), as VG201/VG202 findings located at `path`, and the values found
/// (for the run's redactor). Binary content (a NUL in its head) and test paths give nothing.
pub fn findings_in_text(
    path: &str,
    bytes: &[u8],
    enabled: &dyn Fn(&str) -> bool,
) -> (Vec<Finding>, Vec<String>) {
    let Ok(catalog) = Catalog::builtin() else {
        return (Vec::new(), Vec::new());
    };
    if bytes[..bytes.len().min(SNIFF_BYTES)].contains(&0)
        || files::has_binary_extension(path)
        || files::is_test_path(path)
    {
        return (Vec::new(), Vec::new());
    }
    let text = String::from_utf8_lossy(bytes);
    let context = TextContext::of(path, &text);
    let mut findings = Vec::new();
    let mut values = Vec::new();
    for hit in scan::scan_text(catalog, &text, &context) {
        let provider = &catalog.providers[hit.provider];
        let rule = rule_for(provider);
        if enabled(&rule.code) {
            findings.push(tree_finding(rule, provider, path, &hit, &text));
            values.push(hit.secret.clone());
        }
    }
    (findings, values)
}

/// VG202 for the generic detector's hits, VG201 for a provider's format.
fn rule_for(provider: &Provider) -> &'static vibeguard_core::RuleMeta {
    if provider.generic {
        &generic_secret::META
    } else {
        &hardcoded_credential::META
    }
}

fn read_capped(path: &std::path::Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The severity of a hit: the provider's (or the rule's, for the generic detector), lower for a
/// local development service, higher when browsers receive it.
fn severity_of(rule_default: Severity, provider: &Provider, hit: &Hit) -> Severity {
    let mut severity = if provider.generic {
        rule_default
    } else {
        provider.severity
    };
    if hit.local {
        severity = severity.one_level_lower();
    }
    if hit.exposure.is_some() {
        severity = one_level_higher(severity);
    }
    severity
}

fn one_level_higher(severity: Severity) -> Severity {
    match severity {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

/// DATA-03 is about database credentials; every other secret is DATA-04 only.
fn checklist_of(provider: &Provider, hit_line: &str) -> Vec<ChecklistId> {
    let lower = hit_line.to_ascii_lowercase();
    let database = provider.id == "database-url-with-password"
        || (provider.generic
            && [
                "db_", "database", "postgres", "mysql", "mongo", "redis", "pg_", "sql",
            ]
            .iter()
            .any(|word| lower.contains(word)));
    if database {
        vec![ChecklistId::Data03, ChecklistId::Data04]
    } else {
        vec![ChecklistId::Data04]
    }
}

/// The hit's line with the credential replaced by its description (the line is evidence; the
/// secret never is).
fn masked_line(text: &str, hit: &Hit) -> String {
    let line_start = text[..hit.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[hit.start..]
        .find('\n')
        .map_or(text.len(), |i| hit.start + i);
    let secret_end = hit.end.min(line_end);
    let mut line = String::with_capacity(line_end - line_start);
    line.push_str(&text[line_start..hit.start]);
    line.push_str(&format!("[{}]", describe_secret(&hit.secret)));
    line.push_str(&text[secret_end..line_end]);
    line
}

fn tree_finding(
    rule: &vibeguard_core::RuleMeta,
    provider: &Provider,
    path: &str,
    hit: &Hit,
    text: &str,
) -> Finding {
    let description = describe_secret(&hit.secret);
    let span = Span {
        start_line: hit.line,
        start_column: hit.column,
        end_line: hit.end_line,
        end_column: hit.column,
    };
    let location = Location::Source {
        path: path.to_string(),
        span: Some(span),
    };
    let mut message = format!("{} `{description}` is written in {path}", provider.name);
    if let Some(exposure) = &hit.exposure {
        message.push_str(&format!("; browsers receive it: {exposure}"));
    }
    if hit.local {
        message.push_str(" (a local development service)");
    }
    let line = masked_line(text, hit);
    let frame_text = line.clone();
    let mut finding = Finding::new(rule, location, message, short_hash(&hit.secret))
        .with_severity(severity_of(rule.severity, provider, hit))
        .with_evidence(Evidence::Code(CodeFrame::excerpt(
            path,
            &frame_text,
            Span {
                start_line: 1,
                start_column: 1,
                end_line: 1,
                end_column: 1,
            },
            0,
        )))
        .with_evidence(Evidence::Text {
            label: "credential".into(),
            text: format!("{} ({}): {description}", provider.name, provider.id),
        })
        .with_fix(format!("{} {}", provider.revoke, rule.docs.fix));
    // The frame was cut from the single masked line; give it the real line number.
    if let Some(Evidence::Code(frame)) = finding.evidence.first_mut() {
        frame.first_line = hit.line;
        frame.highlight_start = hit.line;
        frame.highlight_end = hit.line;
    }
    finding.checklist = checklist_of(provider, &line);
    finding
}

/// Drops the history hits whose value is still in the file at the same path, where the tree
/// scan saw it and judged it no finding (a test module, a documentation example): the history
/// reports what left the tree, and the tree scan speaks for what is there.
fn not_judged_in_tree(
    tree: &ProjectTree,
    hits: Vec<HistoryHit>,
    in_tree: &HashMap<String, usize>,
    max_file_size: u64,
) -> Vec<HistoryHit> {
    let mut texts: HashMap<String, Option<String>> = HashMap::new();
    hits.into_iter()
        .filter(|hit| {
            if in_tree.contains_key(&short_hash(&hit.hit.secret)) {
                return true;
            }
            let text = texts.entry(hit.path.clone()).or_insert_with(|| {
                tree.contains(&hit.path)
                    .then(|| read_capped(&tree.absolute(&hit.path), max_file_size).ok())
                    .flatten()
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            });
            !text
                .as_deref()
                .is_some_and(|text| text.contains(hit.hit.secret.as_str()))
        })
        .collect()
}

fn history_findings(
    catalog: &Catalog,
    hits: Vec<HistoryHit>,
    in_tree: &HashMap<String, usize>,
    tree_findings: &mut [Finding],
) -> Vec<Finding> {
    // One finding per credential: the oldest commit that added it (hits come oldest first).
    let mut first: BTreeMap<String, (HistoryHit, usize)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for hit in hits {
        let hash = short_hash(&hit.hit.secret);
        if let Some(&index) = in_tree.get(&hash) {
            // Still in the tree: the tree finding says where; add when it was first committed.
            if let Some(finding) = tree_findings.get_mut(index) {
                let already = finding.evidence.iter().any(
                    |e| matches!(e, Evidence::Text { label, .. } if label == "first committed"),
                );
                if !already {
                    finding.evidence.push(Evidence::Text {
                        label: "first committed".into(),
                        text: format!(
                            "commit {} ({}) in {}",
                            history::short(&hit.commit),
                            hit.author_date,
                            hit.path
                        ),
                    });
                }
            }
            continue;
        }
        match first.get_mut(&hash) {
            Some((_, count)) => *count += 1,
            None => {
                order.push(hash.clone());
                first.insert(hash, (hit, 1));
            }
        }
    }
    let rule = &secret_in_history::META;
    order
        .into_iter()
        .filter_map(|hash| first.remove(&hash).map(|entry| (hash, entry)))
        .map(|(hash, (hit, commits))| {
            let provider = &catalog.providers[hit.hit.provider];
            let description = describe_secret(&hit.hit.secret);
            let location = Location::Source {
                path: hit.path.clone(),
                span: Some(Span::line(hit.hit.line, hit.hit.column, hit.hit.column)),
            };
            let also = if commits > 1 {
                format!(" (and {} later commits)", commits - 1)
            } else {
                String::new()
            };
            let message = format!(
                "{} `{description}` was added to {} in commit {} ({}){also} and is no longer \
                 in the tree; rotate it: it is public to anyone with the repository",
                provider.name,
                hit.path,
                history::short(&hit.commit),
                hit.author_date
            );
            let severity = if provider.generic {
                rule.severity
            } else {
                provider.severity
            };
            let mut finding = Finding::new(rule, location, message, hash)
                .with_severity(severity)
                .with_evidence(Evidence::Text {
                    label: "commit".into(),
                    text: format!("{} {} {}", hit.commit, hit.author_date, hit.path),
                })
                .with_evidence(Evidence::Text {
                    label: "credential".into(),
                    text: format!("{} ({}): {description}", provider.name, provider.id),
                })
                .with_fix(format!(
                    "Rotate it: it is public to anyone with the repository. {}",
                    provider.revoke
                ));
            finding.checklist = vec![ChecklistId::Data04];
            finding
        })
        .collect()
}
