//! The local advisory store: one compact file per ecosystem, written atomically, read lazily.
//!
//! ```text
//! <db-dir>/<Ecosystem>/advisories.vgdb
//!   "VGOSVDB\0"  u32 format           magic and format version (little endian)
//!   u32 n, n bytes                    header: JSON [`DataInfo`] (counts, freshness, source)
//!   u32 count, count × entry          sorted package-name table:
//!                                       u16 len, name, u64 offset, u32 length
//!   blob                              per package, a JSON array of its [`Advisory`] records
//! ```
//!
//! Opening reads the header and the name table only, so a run that checks a few hundred
//! packages reads a few hundred small slices rather than the whole database: the second and
//! later runs load in milliseconds. An import spools each record's compact form to a scratch
//! file as it reads the export (memory holds an index, not the records), builds the new file
//! beside the old one and renames it over it, so a failed or interrupted update leaves the
//! previous data in place.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::archive::{self, ArchiveError, ArchiveLimits, ArchiveNotes};
use super::record::{self, Advisory, ParsedRecord};
use crate::ecosystem::Ecosystem;

const MAGIC: &[u8; 8] = b"VGOSVDB\0";
const FORMAT_VERSION: u32 = 1;
const FILE_NAME: &str = "advisories.vgdb";
/// Invalid records named one by one in an import report; the rest are counted.
const MAX_INVALID_EXAMPLES: usize = 20;
/// Largest header and name table accepted when reading a store file.
const MAX_HEADER_BYTES: u32 = 1024 * 1024;
const MAX_NAME_TABLE_ENTRIES: u32 = 10_000_000;

/// What the store knows about one ecosystem's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataInfo {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// Live advisories stored.
    pub records: u64,
    /// Packages they name.
    pub packages: u64,
    /// Withdrawn records skipped.
    pub withdrawn: u64,
    /// Records refused because they break the OSV schema.
    pub invalid: u64,
    /// The newest `modified` time among the records: how current the data is.
    #[serde(default)]
    pub newest_modified: Option<String>,
    /// When the data was imported.
    pub imported_at: String,
    /// Where it came from (a URL or a path).
    pub source: String,
}

impl DataInfo {
    /// Days between the newest record and `now`; `None` when no record carried a readable time.
    pub fn age_days(&self, now: Timestamp) -> Option<f64> {
        let newest: Timestamp = self.newest_modified.as_deref()?.parse().ok()?;
        let seconds = now.as_second() - newest.as_second();
        Some(seconds.max(0) as f64 / 86_400.0)
    }
}

/// The state of one ecosystem's data.
#[derive(Debug, Clone, PartialEq)]
pub enum DataState {
    /// Never imported.
    Missing,
    /// Present and readable.
    Ready(DataInfo),
    /// Present but not readable (damaged, or written by a newer vibeguard).
    Unreadable(String),
}

/// Why the store could not do something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A file of the store could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The file or folder.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// A store file is damaged.
    #[error(
        "{path} is damaged ({reason}); run `vibeguard db update` or `vibeguard db import` again"
    )]
    Damaged {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The export could not be read.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// The export holds no usable record for an ecosystem that was asked for.
    #[error("{export} holds no valid {ecosystem} advisory; the existing data is kept")]
    NoRecords {
        /// The ecosystem.
        ecosystem: Ecosystem,
        /// The export.
        export: String,
    },
    /// The export is much smaller than the data it would replace.
    #[error(
        "{export} holds {new} {ecosystem} advisories, less than half of the {old} stored; \
         refusing to replace them (an incomplete export?). Use `vibeguard db import` to force it"
    )]
    Shrunk {
        /// The ecosystem.
        ecosystem: Ecosystem,
        /// The export.
        export: String,
        /// Records in the export.
        new: u64,
        /// Records stored.
        old: u64,
    },
}

fn io_error(path: &Path, error: &std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        reason: error.to_string(),
    }
}

/// An invalid record met during an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidRecord {
    /// The entry's name in the export.
    pub entry: String,
    /// What breaks the schema.
    pub reason: String,
}

/// What one import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The export.
    pub source: String,
    /// The ecosystems written, with their new state.
    pub written: Vec<DataInfo>,
    /// Records refused (all ecosystems).
    pub invalid: u64,
    /// The first invalid records, named.
    pub invalid_examples: Vec<InvalidRecord>,
    /// Entries too large to be a record.
    pub oversized: Vec<String>,
    /// Entries whose names climb out of the archive (read, never extracted).
    pub unsafe_names: Vec<String>,
}

/// How an import treats existing data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplacePolicy {
    /// Replace whatever is stored (`db import`).
    #[default]
    Always,
    /// Refuse an export with less than half the stored records (`db update`).
    UnlessShrunk,
}

/// The advisory store in one folder.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store in `dir` (created on the first import).
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, ecosystem: Ecosystem) -> PathBuf {
        self.dir.join(ecosystem.osv_name()).join(FILE_NAME)
    }

    /// The state of `ecosystem`'s data, from the file's header alone.
    pub fn state(&self, ecosystem: Ecosystem) -> DataState {
        let path = self.file(ecosystem);
        if !path.exists() {
            return DataState::Missing;
        }
        match fs::File::open(&path)
            .map_err(|e| io_error(&path, &e))
            .and_then(|mut file| read_header(&mut file, &path))
        {
            Ok(info) => DataState::Ready(info),
            Err(error) => DataState::Unreadable(error.to_string()),
        }
    }

    /// Opens `ecosystem`'s data for lookups.
    pub fn open(&self, ecosystem: Ecosystem) -> Result<EcosystemIndex, StoreError> {
        let path = self.file(ecosystem);
        let mut file = fs::File::open(&path).map_err(|e| io_error(&path, &e))?;
        let info = read_header(&mut file, &path)?;
        let count = read_u32(&mut file, &path)?;
        if count > MAX_NAME_TABLE_ENTRIES {
            return Err(damaged(&path, "name table too large"));
        }
        let file_len = file.metadata().map_err(|e| io_error(&path, &e))?.len();
        let mut names = String::new();
        let mut entries = Vec::with_capacity(count as usize);
        let mut reader = std::io::BufReader::new(&mut file);
        for _ in 0..count {
            let mut len = [0u8; 2];
            reader
                .read_exact(&mut len)
                .map_err(|_| damaged(&path, "name table cut short"))?;
            let len = u16::from_le_bytes(len) as usize;
            let mut name = vec![0u8; len];
            reader
                .read_exact(&mut name)
                .map_err(|_| damaged(&path, "name table cut short"))?;
            let name =
                String::from_utf8(name).map_err(|_| damaged(&path, "a name is not UTF-8"))?;
            let mut slot = [0u8; 12];
            reader
                .read_exact(&mut slot)
                .map_err(|_| damaged(&path, "name table cut short"))?;
            let offset = u64::from_le_bytes(slot[..8].try_into().unwrap_or([0; 8]));
            let length = u32::from_le_bytes(slot[8..].try_into().unwrap_or([0; 4]));
            let start = u32::try_from(names.len()).map_err(|_| damaged(&path, "names too long"))?;
            names.push_str(&name);
            entries.push(NameEntry {
                start,
                len: len as u16,
                offset,
                length,
            });
        }
        let blob_start = reader.stream_position().map_err(|e| io_error(&path, &e))?;
        drop(reader);
        for entry in &entries {
            if blob_start + entry.offset + u64::from(entry.length) > file_len {
                return Err(damaged(&path, "a record lies past the end of the file"));
            }
        }
        Ok(EcosystemIndex {
            info,
            path,
            names,
            entries,
            blob_start,
            file: Mutex::new(file),
        })
    }

    /// Imports the OSV export (zip or folder) at `path`. With `only`, the ecosystems not listed
    /// are ignored and each listed one must receive at least one record.
    pub fn import(
        &self,
        path: &Path,
        only: &[Ecosystem],
        policy: ReplacePolicy,
        source_label: &str,
    ) -> Result<ImportReport, StoreError> {
        let mut collector = Collector::new(&self.dir)?;
        let notes = archive::read_export(path, ArchiveLimits::default(), &mut |entry| {
            collector.add(entry.name, entry.bytes)
        })?;
        self.write(collector, notes, only, policy, source_label)
    }

    /// Imports records given as `(name, JSON bytes)` pairs (used for embedded data sets).
    pub fn import_records<'a>(
        &self,
        records: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        source_label: &str,
    ) -> Result<ImportReport, StoreError> {
        let mut collector = Collector::new(&self.dir)?;
        for (name, bytes) in records {
            collector.add(name, bytes);
        }
        self.write(
            collector,
            ArchiveNotes::default(),
            &[],
            ReplacePolicy::Always,
            source_label,
        )
    }

    fn write(
        &self,
        mut collector: Collector,
        notes: ArchiveNotes,
        only: &[Ecosystem],
        policy: ReplacePolicy,
        source_label: &str,
    ) -> Result<ImportReport, StoreError> {
        if let Some(error) = collector.spool.error.take() {
            return Err(error);
        }
        let imported_at = Timestamp::now().to_string();
        for ecosystem in only {
            if !collector.ecosystems.contains_key(ecosystem) {
                return Err(StoreError::NoRecords {
                    ecosystem: *ecosystem,
                    export: source_label.to_string(),
                });
            }
        }
        let mut written = Vec::new();
        // Check every ecosystem before replacing any, so one refusal changes nothing.
        let mut plans = Vec::new();
        for (ecosystem, data) in &collector.ecosystems {
            if !only.is_empty() && !only.contains(ecosystem) {
                continue;
            }
            let by_name = data.by_name();
            let info = DataInfo {
                ecosystem: *ecosystem,
                records: data.records.len() as u64,
                packages: by_name.len() as u64,
                withdrawn: data.withdrawn,
                invalid: collector
                    .invalid_by_ecosystem
                    .get(ecosystem)
                    .copied()
                    .unwrap_or(0),
                newest_modified: data.newest_modified.map(|t| t.to_string()),
                imported_at: imported_at.clone(),
                source: source_label.to_string(),
            };
            if policy == ReplacePolicy::UnlessShrunk
                && let DataState::Ready(old) = self.state(*ecosystem)
                && info.records * 2 < old.records
            {
                return Err(StoreError::Shrunk {
                    ecosystem: *ecosystem,
                    export: source_label.to_string(),
                    new: info.records,
                    old: old.records,
                });
            }
            plans.push((info, by_name));
        }
        for (info, by_name) in plans {
            self.write_file(&info, &by_name, &mut collector.spool)?;
            written.push(info);
        }
        Ok(ImportReport {
            source: source_label.to_string(),
            written,
            invalid: collector.invalid,
            invalid_examples: std::mem::take(&mut collector.invalid_examples),
            oversized: notes.oversized,
            unsafe_names: notes.unsafe_names,
        })
    }

    /// Writes one ecosystem's file: header, name table, then each name's records copied from
    /// the spool as one JSON array.
    fn write_file(
        &self,
        info: &DataInfo,
        by_name: &BTreeMap<String, Vec<SpoolSlice>>,
        spool: &mut Spool,
    ) -> Result<(), StoreError> {
        let target = self.file(info.ecosystem);
        let folder = target.parent().unwrap_or(&self.dir).to_path_buf();
        fs::create_dir_all(&folder).map_err(|e| io_error(&folder, &e))?;
        let temporary = folder.join(format!(
            ".{FILE_NAME}.{}.{}.tmp",
            std::process::id(),
            Timestamp::now().as_nanosecond()
        ));
        let result = (|| -> Result<(), StoreError> {
            let names: Vec<(&String, &Vec<SpoolSlice>)> = by_name
                .iter()
                .filter(|(name, _)| u16::try_from(name.len()).is_ok())
                .collect();
            let mut table = Vec::new();
            let mut offset: u64 = 0;
            for (name, slices) in &names {
                // `[` + the records joined by `,` + `]`.
                let length = 2
                    + slices.iter().map(|s| u64::from(s.len)).sum::<u64>()
                    + slices.len().saturating_sub(1) as u64;
                let Ok(length32) = u32::try_from(length) else {
                    return Err(StoreError::Io {
                        path: target.display().to_string(),
                        reason: format!("the records of {name} exceed 4 GiB"),
                    });
                };
                table.extend_from_slice(&(name.len() as u16).to_le_bytes());
                table.extend_from_slice(name.as_bytes());
                table.extend_from_slice(&offset.to_le_bytes());
                table.extend_from_slice(&length32.to_le_bytes());
                offset += length;
            }
            let header = serde_json::to_vec(info).map_err(|e| StoreError::Io {
                path: target.display().to_string(),
                reason: e.to_string(),
            })?;
            let mut file = fs::File::create(&temporary).map_err(|e| io_error(&temporary, &e))?;
            let mut out = std::io::BufWriter::new(&mut file);
            let count = u32::try_from(names.len()).unwrap_or(u32::MAX);
            let write = |out: &mut std::io::BufWriter<&mut fs::File>, bytes: &[u8]| {
                out.write_all(bytes).map_err(|e| io_error(&temporary, &e))
            };
            write(&mut out, MAGIC)?;
            write(&mut out, &FORMAT_VERSION.to_le_bytes())?;
            write(&mut out, &(header.len() as u32).to_le_bytes())?;
            write(&mut out, &header)?;
            write(&mut out, &count.to_le_bytes())?;
            write(&mut out, &table)?;
            let mut buffer = Vec::new();
            for (_, slices) in &names {
                write(&mut out, b"[")?;
                for (index, slice) in slices.iter().enumerate() {
                    if index > 0 {
                        write(&mut out, b",")?;
                    }
                    spool.read(*slice, &mut buffer)?;
                    write(&mut out, &buffer)?;
                }
                write(&mut out, b"]")?;
            }
            out.flush().map_err(|e| io_error(&temporary, &e))?;
            drop(out);
            file.sync_all().map_err(|e| io_error(&temporary, &e))?;
            fs::rename(&temporary, &target).map_err(|e| io_error(&target, &e))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        result
    }
}

fn damaged(path: &Path, reason: &str) -> StoreError {
    StoreError::Damaged {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

fn read_u32(reader: &mut impl Read, path: &Path) -> Result<u32, StoreError> {
    let mut bytes = [0u8; 4];
    reader
        .read_exact(&mut bytes)
        .map_err(|_| damaged(path, "cut short"))?;
    Ok(u32::from_le_bytes(bytes))
}

fn read_header(file: &mut fs::File, path: &Path) -> Result<DataInfo, StoreError> {
    let mut magic = [0u8; 8];
    file.read_exact(&mut magic)
        .map_err(|_| damaged(path, "not a vibeguard advisory file"))?;
    if &magic != MAGIC {
        return Err(damaged(path, "not a vibeguard advisory file"));
    }
    let version = read_u32(file, path)?;
    if version != FORMAT_VERSION {
        return Err(damaged(
            path,
            &format!("format {version}, this vibeguard reads format {FORMAT_VERSION}"),
        ));
    }
    let len = read_u32(file, path)?;
    if len > MAX_HEADER_BYTES {
        return Err(damaged(path, "header too large"));
    }
    let mut header = vec![0u8; len as usize];
    file.read_exact(&mut header)
        .map_err(|_| damaged(path, "header cut short"))?;
    serde_json::from_slice(&header).map_err(|e| damaged(path, &format!("header: {e}")))
}

#[derive(Debug)]
struct NameEntry {
    start: u32,
    len: u16,
    offset: u64,
    length: u32,
}

/// One ecosystem's data, opened for lookups by package name.
#[derive(Debug)]
pub struct EcosystemIndex {
    /// The header.
    pub info: DataInfo,
    path: PathBuf,
    names: String,
    entries: Vec<NameEntry>,
    blob_start: u64,
    file: Mutex<fs::File>,
}

impl EcosystemIndex {
    fn name(&self, entry: &NameEntry) -> &str {
        let start = entry.start as usize;
        self.names
            .get(start..start + entry.len as usize)
            .unwrap_or("")
    }

    /// The advisories naming the package (normalized with [`Ecosystem::normalize_name`]).
    pub fn advisories(&self, normalized_name: &str) -> Result<Vec<Advisory>, StoreError> {
        let Ok(found) = self
            .entries
            .binary_search_by(|entry| self.name(entry).cmp(normalized_name))
        else {
            return Ok(Vec::new());
        };
        let entry = &self.entries[found];
        let mut bytes = vec![0u8; entry.length as usize];
        {
            let mut file = self
                .file
                .lock()
                .map_err(|_| damaged(&self.path, "lock poisoned"))?;
            file.seek(SeekFrom::Start(self.blob_start + entry.offset))
                .map_err(|e| io_error(&self.path, &e))?;
            file.read_exact(&mut bytes)
                .map_err(|_| damaged(&self.path, "a record is cut short"))?;
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            damaged(
                &self.path,
                &format!("the records of `{normalized_name}` do not decode: {e}"),
            )
        })
    }

    /// How many package names it holds.
    pub fn package_count(&self) -> usize {
        self.entries.len()
    }
}

/// Where one record's compact JSON lies in the spool.
#[derive(Debug, Clone, Copy)]
struct SpoolSlice {
    offset: u64,
    len: u32,
}

/// A scratch file in the store's folder holding every record read so far, so an import keeps
/// only an index in memory however large the export is. Removed when dropped.
#[derive(Debug)]
struct Spool {
    path: PathBuf,
    writer: std::io::BufWriter<fs::File>,
    reader: Option<fs::File>,
    len: u64,
    /// The first write failure; the import reports it instead of writing partial data.
    error: Option<StoreError>,
}

impl Spool {
    fn new(dir: &Path) -> Result<Spool, StoreError> {
        fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
        let path = dir.join(format!(
            ".import-{}-{}.spool",
            std::process::id(),
            Timestamp::now().as_nanosecond()
        ));
        let file = fs::File::create(&path).map_err(|e| io_error(&path, &e))?;
        Ok(Spool {
            path,
            writer: std::io::BufWriter::new(file),
            reader: None,
            len: 0,
            error: None,
        })
    }

    fn append(&mut self, bytes: &[u8]) -> Option<SpoolSlice> {
        if self.error.is_some() {
            return None;
        }
        let Ok(len) = u32::try_from(bytes.len()) else {
            return None;
        };
        if let Err(error) = self.writer.write_all(bytes) {
            self.error = Some(io_error(&self.path, &error));
            return None;
        }
        let slice = SpoolSlice {
            offset: self.len,
            len,
        };
        self.len += u64::from(len);
        Some(slice)
    }

    fn read(&mut self, slice: SpoolSlice, buffer: &mut Vec<u8>) -> Result<(), StoreError> {
        if self.reader.is_none() {
            self.writer.flush().map_err(|e| io_error(&self.path, &e))?;
            self.reader = Some(fs::File::open(&self.path).map_err(|e| io_error(&self.path, &e))?);
        }
        let Some(reader) = self.reader.as_mut() else {
            return Err(damaged(&self.path, "spool unavailable"));
        };
        buffer.resize(slice.len as usize, 0);
        reader
            .seek(SeekFrom::Start(slice.offset))
            .and_then(|_| reader.read_exact(buffer))
            .map_err(|e| io_error(&self.path, &e))
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// One record kept for an ecosystem: its place in the spool and the names it affects.
#[derive(Debug)]
struct SpooledRecord {
    modified: String,
    slice: SpoolSlice,
    names: Vec<String>,
}

#[derive(Debug, Default)]
struct EcosystemData {
    /// By id: an export that holds a record twice keeps the most recently modified copy.
    records: BTreeMap<String, SpooledRecord>,
    withdrawn: u64,
    newest_modified: Option<Timestamp>,
}

impl EcosystemData {
    /// The records under each package name they affect.
    fn by_name(&self) -> BTreeMap<String, Vec<SpoolSlice>> {
        let mut by_name: BTreeMap<String, Vec<SpoolSlice>> = BTreeMap::new();
        for record in self.records.values() {
            for name in &record.names {
                by_name.entry(name.clone()).or_default().push(record.slice);
            }
        }
        by_name
    }
}

#[derive(Debug)]
struct Collector {
    spool: Spool,
    ecosystems: BTreeMap<Ecosystem, EcosystemData>,
    invalid: u64,
    invalid_by_ecosystem: BTreeMap<Ecosystem, u64>,
    invalid_examples: Vec<InvalidRecord>,
}

impl Collector {
    fn new(dir: &Path) -> Result<Collector, StoreError> {
        Ok(Collector {
            spool: Spool::new(dir)?,
            ecosystems: BTreeMap::new(),
            invalid: 0,
            invalid_by_ecosystem: BTreeMap::new(),
            invalid_examples: Vec::new(),
        })
    }

    fn add(&mut self, name: &str, bytes: &[u8]) {
        match record::parse(bytes) {
            Ok(ParsedRecord::Live(views)) => {
                for (ecosystem, advisory) in views {
                    let data = self.ecosystems.entry(ecosystem).or_default();
                    if let Ok(modified) = advisory.modified.parse::<Timestamp>()
                        && data.newest_modified.is_none_or(|newest| modified > newest)
                    {
                        data.newest_modified = Some(modified);
                    }
                    let newer = data
                        .records
                        .get(&advisory.id)
                        .is_none_or(|kept| advisory.modified > kept.modified);
                    if !newer {
                        continue;
                    }
                    let Ok(json) = serde_json::to_vec(&advisory) else {
                        continue;
                    };
                    let Some(slice) = self.spool.append(&json) else {
                        continue;
                    };
                    let mut names: Vec<String> = advisory
                        .affected
                        .iter()
                        .map(|affected| ecosystem.normalize_name(&affected.name))
                        .collect();
                    names.sort();
                    names.dedup();
                    data.records.insert(
                        advisory.id,
                        SpooledRecord {
                            modified: advisory.modified,
                            slice,
                            names,
                        },
                    );
                }
            }
            Ok(ParsedRecord::Withdrawn { .. }) => {
                for ecosystem in mentioned_ecosystems(bytes) {
                    self.ecosystems.entry(ecosystem).or_default().withdrawn += 1;
                }
            }
            Err(reason) => {
                self.invalid += 1;
                for ecosystem in mentioned_ecosystems(bytes) {
                    *self.invalid_by_ecosystem.entry(ecosystem).or_default() += 1;
                }
                if self.invalid_examples.len() < MAX_INVALID_EXAMPLES {
                    self.invalid_examples.push(InvalidRecord {
                        entry: name.to_string(),
                        reason,
                    });
                }
            }
        }
    }
}

/// The ecosystems a (possibly invalid) record names, read loosely, to attribute counts.
fn mentioned_ecosystems(bytes: &[u8]) -> Vec<Ecosystem> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Vec::new();
    };
    let mut found: Vec<Ecosystem> = value
        .get("affected")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|affected| affected.pointer("/package/ecosystem")?.as_str())
        .filter_map(|name| Ecosystem::ALL.into_iter().find(|e| e.osv_name() == name))
        .collect();
    found.sort();
    found.dedup();
    found
}
