//! Reading OSV exports: a zip (`all.zip`, one `<ID>.json` per record), a folder of records
//! (the OSV exports unpacked, GitHub's advisory-database `advisories/` tree of JSON files, the
//! PyPA advisory-database `vulns/` tree of YAML files), or one record file. YAML records are
//! handed on as JSON.
//!
//! Exports are untrusted input. Nothing is ever extracted to disk: each entry is read into
//! memory through a cap, so a zip bomb (an entry or a whole archive that inflates far beyond its
//! size) ends the read with an error instead of filling memory, and entry names — which could
//! say `../../etc/passwd` — are only used in messages. A damaged archive (no central directory,
//! a CRC mismatch) is an error: an update must not replace good data with part of an export.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Bounds on what an export may hold.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveLimits {
    /// Most entries read.
    pub max_entries: usize,
    /// Largest single record, uncompressed. OSV records are kilobytes; the biggest real ones are
    /// a few hundred kilobytes.
    pub max_entry_bytes: u64,
    /// Most bytes read in total, uncompressed.
    pub max_total_bytes: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_entries: 2_000_000,
            max_entry_bytes: 8 * 1024 * 1024,
            max_total_bytes: 16 * 1024 * 1024 * 1024,
        }
    }
}

/// Why an export could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// The path does not exist or cannot be opened.
    #[error("{path}: {reason}")]
    Unreadable {
        /// The export.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// The file is not a readable zip (truncated, not a zip at all).
    #[error(
        "{path} is not a readable zip archive ({reason}); it may be truncated or corrupt. \
         Accepted: an OSV export zip (`all.zip`), a folder or zip of OSV records in JSON (the OSV \
         exports, GitHub's advisory-database `advisories/`) or YAML (PyPA's advisory-database \
         `vulns/`), or one record file"
    )]
    NotAZip {
        /// The export.
        path: String,
        /// What the zip reader said.
        reason: String,
    },
    /// An entry failed its checksum or could not be inflated.
    #[error("{path}: entry `{entry}` is damaged ({reason})")]
    DamagedEntry {
        /// The export.
        path: String,
        /// The entry's name.
        entry: String,
        /// What failed.
        reason: String,
    },
    /// The export is larger than the limits allow.
    #[error("{path}: {reason}; refusing to read further (a zip bomb, or not an OSV export)")]
    TooLarge {
        /// The export.
        path: String,
        /// Which limit.
        reason: String,
    },
}

/// One entry handed to the caller: its name and its bytes.
#[derive(Debug)]
pub struct Entry<'a> {
    /// The name inside the export (untrusted: for messages only).
    pub name: &'a str,
    /// The content.
    pub bytes: &'a [u8],
}

/// What reading skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveNotes {
    /// Entries not read because they are larger than a record can be.
    pub oversized: Vec<String>,
    /// Entries whose names are absolute or climb out of the archive (`..`); their content is
    /// still read as a record, never written anywhere.
    pub unsafe_names: Vec<String>,
}

/// The formats records come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordFormat {
    Json,
    Yaml,
}

/// The format of a record file by its name, or `None` for files that are not records.
fn record_format(name: &str) -> Option<RecordFormat> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Some(RecordFormat::Json)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(RecordFormat::Yaml)
    } else {
        None
    }
}

/// Hands one record to `visit`, as JSON: a YAML record (PyPA's format) is converted; one that
/// does not parse is handed on as it is, and counted invalid by the reader of records.
fn visit_record(name: &str, bytes: &[u8], format: RecordFormat, visit: &mut dyn FnMut(Entry<'_>)) {
    let converted = match format {
        RecordFormat::Json => None,
        RecordFormat::Yaml => std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| serde_saphyr::from_str::<serde_json::Value>(text).ok())
            .and_then(|value| serde_json::to_vec(&value).ok()),
    };
    visit(Entry {
        name,
        bytes: converted.as_deref().unwrap_or(bytes),
    });
}

/// Reads every record (`.json`, `.yaml`, `.yml`) of the zip, folder or single record file at
/// `path`, handing each to `visit` as JSON.
pub fn read_export(
    path: &Path,
    limits: ArchiveLimits,
    visit: &mut dyn FnMut(Entry<'_>),
) -> Result<ArchiveNotes, ArchiveError> {
    let label = path.display().to_string();
    let metadata = fs::metadata(path).map_err(|error| ArchiveError::Unreadable {
        path: label.clone(),
        reason: error.to_string(),
    })?;
    if metadata.is_dir() {
        read_folder(path, &label, limits, visit)
    } else if let Some(format) = record_format(&label) {
        if metadata.len() > limits.max_entry_bytes {
            return Err(ArchiveError::TooLarge {
                path: label,
                reason: format!(
                    "larger than the {} bytes a record may be",
                    limits.max_entry_bytes
                ),
            });
        }
        let bytes = fs::read(path).map_err(|error| ArchiveError::Unreadable {
            path: label.clone(),
            reason: error.to_string(),
        })?;
        visit_record(&label, &bytes, format, visit);
        Ok(ArchiveNotes::default())
    } else {
        let file = fs::File::open(path).map_err(|error| ArchiveError::Unreadable {
            path: label.clone(),
            reason: error.to_string(),
        })?;
        read_zip(file, &label, limits, visit)
    }
}

/// Reads every `.json` entry of a zip held in `reader`.
pub fn read_zip<R: Read + std::io::Seek>(
    reader: R,
    label: &str,
    limits: ArchiveLimits,
    visit: &mut dyn FnMut(Entry<'_>),
) -> Result<ArchiveNotes, ArchiveError> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|error| ArchiveError::NotAZip {
        path: label.to_string(),
        reason: error.to_string(),
    })?;
    if archive.len() > limits.max_entries {
        return Err(ArchiveError::TooLarge {
            path: label.to_string(),
            reason: format!(
                "{} entries, more than the {} allowed",
                archive.len(),
                limits.max_entries
            ),
        });
    }
    let mut notes = ArchiveNotes::default();
    let mut total: u64 = 0;
    let mut buffer = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive
            .by_index(index)
            .map_err(|error| ArchiveError::DamagedEntry {
                path: label.to_string(),
                entry: format!("#{index}"),
                reason: error.to_string(),
            })?;
        if file.is_dir() {
            continue;
        }
        let name = String::from_utf8_lossy(file.name_raw()).into_owned();
        let Some(format) = record_format(&name) else {
            continue;
        };
        if file.enclosed_name().is_none() || name.starts_with(['/', '\\']) || name.contains(":\\") {
            notes.unsafe_names.push(name.clone());
        }
        // The declared size can lie; the cap on the read itself is what bounds memory.
        buffer.clear();
        let read = (&mut file)
            .take(limits.max_entry_bytes + 1)
            .read_to_end(&mut buffer)
            .map_err(|error| ArchiveError::DamagedEntry {
                path: label.to_string(),
                entry: name.clone(),
                reason: error.to_string(),
            })?;
        total += read as u64;
        if total > limits.max_total_bytes {
            return Err(ArchiveError::TooLarge {
                path: label.to_string(),
                reason: format!("more than {} bytes once inflated", limits.max_total_bytes),
            });
        }
        if read as u64 > limits.max_entry_bytes {
            notes.oversized.push(name);
            continue;
        }
        visit_record(&name, &buffer, format, visit);
    }
    Ok(notes)
}

fn read_folder(
    root: &Path,
    label: &str,
    limits: ArchiveLimits,
    visit: &mut dyn FnMut(Entry<'_>),
) -> Result<ArchiveNotes, ArchiveError> {
    let mut notes = ArchiveNotes::default();
    let mut pending: Vec<PathBuf> = vec![root.to_path_buf()];
    let mut seen = 0usize;
    let mut total = 0u64;
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(|error| ArchiveError::Unreadable {
            path: dir.display().to_string(),
            reason: error.to_string(),
        })?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            // Symbolic links are not followed: an export folder holds plain files.
            let Ok(metadata) = fs::symlink_metadata(&path) else {
                continue;
            };
            if metadata.is_dir() {
                pending.push(path);
                continue;
            }
            let format = path
                .file_name()
                .and_then(|name| name.to_str())
                .and_then(record_format);
            let Some(format) = format.filter(|_| metadata.is_file()) else {
                continue;
            };
            seen += 1;
            if seen > limits.max_entries {
                return Err(ArchiveError::TooLarge {
                    path: label.to_string(),
                    reason: format!("more than {} record files", limits.max_entries),
                });
            }
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            if metadata.len() > limits.max_entry_bytes {
                notes.oversized.push(name);
                continue;
            }
            let bytes = fs::read(&path).map_err(|error| ArchiveError::Unreadable {
                path: path.display().to_string(),
                reason: error.to_string(),
            })?;
            total += bytes.len() as u64;
            if total > limits.max_total_bytes {
                return Err(ArchiveError::TooLarge {
                    path: label.to_string(),
                    reason: format!("more than {} bytes", limits.max_total_bytes),
                });
            }
            visit_record(&name, &bytes, format, visit);
        }
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            writer.start_file(*name, options).expect("entry");
            writer.write_all(bytes).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    }

    fn names(
        bytes: Vec<u8>,
        limits: ArchiveLimits,
    ) -> Result<(Vec<String>, ArchiveNotes), ArchiveError> {
        let mut seen = Vec::new();
        let notes = read_zip(Cursor::new(bytes), "test.zip", limits, &mut |entry| {
            seen.push(entry.name.to_string())
        })?;
        Ok((seen, notes))
    }

    #[test]
    fn reads_json_entries_and_flags_unsafe_names() {
        let bytes = zip_of(&[
            ("A-1.json", b"{}"),
            ("README.txt", b"not a record"),
            ("../../escape.json", b"{}"),
        ]);
        let (seen, notes) = names(bytes, ArchiveLimits::default()).expect("reads");
        assert_eq!(seen, vec!["A-1.json", "../../escape.json"]);
        assert_eq!(notes.unsafe_names, vec!["../../escape.json"]);
    }

    #[test]
    fn a_bomb_is_cut_at_the_limits() {
        let zeros = vec![b' '; 4 * 1024 * 1024];
        let bytes = zip_of(&[("big.json", &zeros), ("ok.json", b"{}")]);
        assert!(bytes.len() < 64 * 1024, "highly compressible");
        let limits = ArchiveLimits {
            max_entry_bytes: 1024 * 1024,
            ..ArchiveLimits::default()
        };
        let (seen, notes) = names(bytes.clone(), limits).expect("reads");
        assert_eq!(seen, vec!["ok.json"]);
        assert_eq!(notes.oversized, vec!["big.json"]);
        let limits = ArchiveLimits {
            max_total_bytes: 2 * 1024 * 1024,
            ..ArchiveLimits::default()
        };
        assert!(matches!(
            names(bytes, limits),
            Err(ArchiveError::TooLarge { .. })
        ));
    }

    #[test]
    fn truncated_and_corrupt_archives_are_errors() {
        let bytes = zip_of(&[(
            "A-1.json",
            br#"{"id": "A-1", "modified": "2024-01-01T00:00:00Z"}"#,
        )]);
        let truncated = bytes[..bytes.len() / 2].to_vec();
        assert!(matches!(
            names(truncated, ArchiveLimits::default()),
            Err(ArchiveError::NotAZip { .. })
        ));
        // Flip bytes inside the compressed data: the CRC (or the inflater) catches it.
        let mut corrupt = bytes.clone();
        let start = 30 + "A-1.json".len();
        for byte in &mut corrupt[start..start + 8] {
            *byte ^= 0x5a;
        }
        assert!(matches!(
            names(corrupt, ArchiveLimits::default()),
            Err(ArchiveError::DamagedEntry { .. })
        ));
        assert!(matches!(
            names(b"not a zip at all".to_vec(), ArchiveLimits::default()),
            Err(ArchiveError::NotAZip { .. })
        ));
    }
}
