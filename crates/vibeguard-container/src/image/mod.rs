//! A container image read without a daemon (`vibeguard image PATH`): [`source`] finds its
//! layers (a `docker save` archive, an OCI image layout or archive, an unpacked root
//! filesystem), and [`read_image`] applies them in order — whiteouts (`.wh.NAME` deletes a
//! path, `.wh..wh..opq` empties a folder of what lower layers put there) included — keeping
//! only the files that say what is installed (package databases, `os-release`, language
//! packages' metadata). Every other regular file is shown once to a [`FileVisitor`] as its
//! layer is read (the caller scans it for secrets; files a later layer deletes are still in
//! the image, and are shown too) and then dropped, so memory holds the package databases, not
//! the image. Limits ([`ImageLimits`]) bound what a hostile image can make it read.

pub mod binaries;
pub mod source;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::Deserialize;

pub use source::{ImageFormat, LayerRef};

/// Why an image could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// A file could not be read.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// The image is not laid out as its format says.
    #[error("{0}")]
    Malformed(String),
    /// The image exceeds a limit.
    #[error("{0}")]
    TooLarge(String),
}

impl ImageError {
    pub(crate) fn io(path: &Path, error: &std::io::Error) -> ImageError {
        ImageError::Io {
            path: path.display().to_string(),
            reason: error.to_string(),
        }
    }
}

/// Bounds on what an image can make vibeguard read.
#[derive(Debug, Clone)]
pub struct ImageLimits {
    /// Layers in one image.
    pub max_layers: usize,
    /// Entries in the image archive, and in all layers together.
    pub max_entries: usize,
    /// Bytes read from all layers after decompression (a decompression bomb stops here).
    pub max_uncompressed_bytes: u64,
    /// Largest package database kept (an rpm database can be tens of megabytes).
    pub max_kept_file_bytes: u64,
    /// Largest file shown to the visitor.
    pub max_visited_file_bytes: u64,
    /// Largest executable read whole for its build information (larger ones are searched as
    /// a stream, for Go's only).
    pub max_binary_bytes: u64,
    /// How far into a larger executable Go's build information is searched for (it sits in
    /// the data segment; a sparse 10 GB "executable" stops here).
    pub max_streamed_binary_bytes: u64,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_layers: 256,
            max_entries: 2_000_000,
            max_uncompressed_bytes: 32 * 1024 * 1024 * 1024,
            max_kept_file_bytes: 128 * 1024 * 1024,
            max_visited_file_bytes: 1024 * 1024,
            max_binary_bytes: 64 * 1024 * 1024,
            max_streamed_binary_bytes: 512 * 1024 * 1024,
        }
    }
}

/// A file of a layer, shown to the visitor.
#[derive(Debug)]
pub struct VisitedFile<'a> {
    /// The layer that adds it (1-based).
    pub layer: usize,
    /// Its path in the image, without a leading `/`.
    pub path: &'a str,
    /// Its content.
    pub content: &'a [u8],
}

/// What sees every regular file of every layer.
pub trait FileVisitor {
    /// Called once per file up to [`ImageLimits::max_visited_file_bytes`].
    fn visit(&mut self, file: &VisitedFile<'_>);
}

/// A visitor that looks at nothing.
#[derive(Debug)]
pub struct NoVisitor;

impl FileVisitor for NoVisitor {
    fn visit(&mut self, _file: &VisitedFile<'_>) {}
}

/// What a kept file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeptKind {
    /// The file itself (a package database, `os-release`, a package's metadata).
    File,
    /// The build information of an executable ([`binaries::BinaryInfo::to_text`]).
    BuildInfo,
}

/// A file of the final filesystem that says what is installed.
#[derive(Debug, Clone)]
pub struct KeptFile {
    /// The layer that put it there.
    pub layer: usize,
    /// Its content (empty for a symbolic link).
    pub content: Vec<u8>,
    /// The target of a symbolic link.
    pub link: Option<String>,
    /// What the content is.
    pub kind: KeptKind,
}

/// The image configuration's parts vibeguard reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImageConfig {
    /// `config` of the document: what the container runs with.
    #[serde(default)]
    pub config: RunConfig,
    /// How each layer was made (`created_by`: the Dockerfile instruction).
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

/// The run configuration of an image.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunConfig {
    /// `NAME=value` environment entries.
    #[serde(rename = "Env", default)]
    pub env: Option<Vec<String>>,
    /// The user the container runs as.
    #[serde(rename = "User", default)]
    pub user: Option<String>,
}

/// One history entry.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HistoryEntry {
    /// The instruction that made the layer.
    #[serde(default)]
    pub created_by: Option<String>,
}

/// A deletion recorded by a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Whiteout {
    /// The layer that deletes.
    pub layer: usize,
    /// The path deleted (with everything under it), or for an opaque folder the folder.
    pub path: String,
    /// An opaque folder: what lower layers put in it is hidden, the folder stays.
    pub opaque: bool,
}

/// An image, read.
#[derive(Debug)]
pub struct ImageContents {
    /// How it was stored.
    pub format: ImageFormat,
    /// Its layers, bottom first.
    pub layers: Vec<LayerRef>,
    /// The files of the final filesystem that say what is installed, by path.
    pub kept: BTreeMap<String, KeptFile>,
    /// Its configuration, when the format has one.
    pub config: Option<ImageConfig>,
    /// Every deletion the layers record, in layer order.
    pub whiteouts: Vec<Whiteout>,
    /// Regular files seen in all layers.
    pub files_seen: u64,
    /// Bytes read from the layers after decompression.
    pub bytes_read: u64,
    /// What could not be read, in plain words (the rest of the image was).
    pub notes: Vec<String>,
}

impl ImageContents {
    /// The kept file at `path` in the final filesystem, following symbolic links (up to 8).
    pub fn file(&self, path: &str) -> Option<(&str, &KeptFile)> {
        let mut current = normalise_path(path);
        for _ in 0..8 {
            let (key, file) = self.kept.get_key_value(&current)?;
            match &file.link {
                None => return Some((key.as_str(), file)),
                Some(target) => current = resolve_link(&current, target),
            }
        }
        None
    }
}

/// `etc/os-release` -> `../usr/lib/os-release` -> `usr/lib/os-release`.
fn resolve_link(from: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        from.split('/').collect()
    };
    if !target.starts_with('/') {
        parts.pop();
    }
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// A path as the image holds it: no `./` or `/` prefix, no trailing `/`, `.` and `..`
/// resolved inside the image's root (a layer naming `../../etc/x` means `etc/x`: the root is
/// the top, as when a container runtime unpacks it).
pub fn normalise_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// Whether a file tells what is installed, and so is kept.
pub fn is_kept_path(path: &str) -> bool {
    const EXACT: [&str; 8] = [
        "etc/os-release",
        "usr/lib/os-release",
        "var/lib/dpkg/status",
        "lib/apk/db/installed",
        "var/lib/rpm/rpmdb.sqlite",
        "var/lib/rpm/Packages",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/Packages.db",
    ];
    if EXACT.contains(&path) {
        return true;
    }
    if let Some(name) = path.strip_prefix("var/lib/dpkg/status.d/") {
        return !name.contains('/') && !name.ends_with(".md5sums");
    }
    let parts: Vec<&str> = path.split('/').collect();
    let n = parts.len();
    let name = parts[n - 1];
    // node_modules/NAME/package.json, node_modules/@scope/NAME/package.json
    if name == "package.json" && n >= 3 {
        if parts[n - 3] == "node_modules" && !parts[n - 2].starts_with('@') {
            return true;
        }
        if n >= 4 && parts[n - 4] == "node_modules" && parts[n - 3].starts_with('@') {
            return true;
        }
    }
    // site-packages/NAME-VERSION.dist-info/METADATA, …egg-info/PKG-INFO
    if n >= 3
        && matches!(parts[n - 3], "site-packages" | "dist-packages")
        && ((name == "METADATA" && parts[n - 2].ends_with(".dist-info"))
            || (name == "PKG-INFO" && parts[n - 2].ends_with(".egg-info")))
    {
        return true;
    }
    // gems/…/specifications/NAME-VERSION.gemspec
    n >= 2 && parts[n - 2] == "specifications" && name.ends_with(".gemspec")
}

/// Reads the image at `path`: every layer in order, the kept files of the final filesystem,
/// every file shown to `visitor`.
pub fn read_image(
    path: &Path,
    limits: &ImageLimits,
    visitor: &mut dyn FileVisitor,
) -> Result<ImageContents, ImageError> {
    let located = source::locate(path, limits)?;
    let mut walk = Walk {
        limits,
        visitor,
        kept: BTreeMap::new(),
        whiteouts: Vec::new(),
        files_seen: 0,
        entries: 0,
        bytes_read: 0,
        notes: Vec::new(),
        buffer: Vec::new(),
    };
    for layer in &located.layers {
        let result = match &layer.place {
            source::LayerPlace::Folder(root) => walk.folder(layer.index, root),
            _ => source::open_layer(&located, layer).and_then(|stream| walk.tar(layer, stream)),
        };
        match result {
            Ok(()) => {}
            Err(error @ ImageError::TooLarge(_)) => return Err(error),
            // One unreadable layer: the rest is still read, and the gap is said.
            Err(error) => walk.notes.push(format!(
                "layer {} ({}) could not be read: {error}",
                layer.index, layer.id
            )),
        }
    }
    let config = match &located.config {
        Some(bytes) => match serde_json::from_slice::<ImageConfig>(bytes) {
            Ok(config) => Some(config),
            Err(error) => {
                walk.notes.push(format!(
                    "the image configuration is not readable JSON: {error}"
                ));
                None
            }
        },
        None => None,
    };
    Ok(ImageContents {
        format: located.format,
        layers: located.layers.clone(),
        kept: walk.kept,
        whiteouts: walk.whiteouts,
        config,
        files_seen: walk.files_seen,
        bytes_read: walk.bytes_read,
        notes: walk.notes,
    })
}

struct Walk<'a> {
    limits: &'a ImageLimits,
    visitor: &'a mut dyn FileVisitor,
    kept: BTreeMap<String, KeptFile>,
    whiteouts: Vec<Whiteout>,
    files_seen: u64,
    entries: usize,
    bytes_read: u64,
    notes: Vec<String>,
    buffer: Vec<u8>,
}

impl Walk<'_> {
    fn count_entry(&mut self) -> Result<(), ImageError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(ImageError::TooLarge(format!(
                "the image's layers hold more than {} entries",
                self.limits.max_entries
            )));
        }
        Ok(())
    }

    /// A whiteout: removes what lower layers put at `path` (and under it).
    fn whiteout(&mut self, layer: usize, folder: &str, name: &str) -> bool {
        let target = if name == ".wh..wh..opq" {
            // An opaque folder: everything lower layers put in it is hidden.
            let prefix = format!("{folder}/");
            self.kept
                .retain(|path, file| file.layer >= layer || !path.starts_with(&prefix));
            self.whiteouts.push(Whiteout {
                layer,
                path: folder.to_string(),
                opaque: true,
            });
            return true;
        } else if let Some(hidden) = name.strip_prefix(".wh.") {
            if folder.is_empty() {
                hidden.to_string()
            } else {
                format!("{folder}/{hidden}")
            }
        } else {
            return false;
        };
        let prefix = format!("{target}/");
        self.kept
            .retain(|path, _| path != &target && !path.starts_with(&prefix));
        self.whiteouts.push(Whiteout {
            layer,
            path: target,
            opaque: false,
        });
        true
    }

    fn tar(&mut self, layer: &LayerRef, stream: Box<dyn Read>) -> Result<(), ImageError> {
        let limit = self
            .limits
            .max_uncompressed_bytes
            .saturating_sub(self.bytes_read);
        let mut counted = CountingReader {
            inner: stream,
            count: 0,
            limit,
        };
        let result = self.tar_entries(layer, &mut counted);
        self.bytes_read += counted.count;
        if counted.count >= limit {
            return Err(ImageError::TooLarge(format!(
                "the image's layers decompress to more than {} bytes",
                self.limits.max_uncompressed_bytes
            )));
        }
        result
    }

    fn tar_entries(&mut self, layer: &LayerRef, stream: &mut dyn Read) -> Result<(), ImageError> {
        let mut archive = tar::Archive::new(stream);
        let entries = archive
            .entries()
            .map_err(|e| ImageError::Malformed(format!("not a tar stream: {e}")))?;
        for entry in entries {
            let mut entry =
                entry.map_err(|e| ImageError::Malformed(format!("a damaged tar entry: {e}")))?;
            self.count_entry()?;
            let path = normalise_path(&String::from_utf8_lossy(&entry.path_bytes()));
            let (folder, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
            if name.starts_with(".wh.") {
                self.whiteout(layer.index, folder, name);
                continue;
            }
            let kind = entry.header().entry_type();
            if kind.is_symlink() || kind.is_hard_link() {
                if is_kept_path(&path) {
                    let target = entry
                        .link_name_bytes()
                        .map(|t| String::from_utf8_lossy(&t).into_owned())
                        .unwrap_or_default();
                    let target = if kind.is_hard_link() {
                        // Hard links name the target from the archive's root.
                        format!("/{}", normalise_path(&target))
                    } else {
                        target
                    };
                    self.kept.insert(
                        path.clone(),
                        KeptFile {
                            layer: layer.index,
                            content: Vec::new(),
                            link: Some(target),
                            kind: KeptKind::File,
                        },
                    );
                }
                continue;
            }
            if kind.is_dir() {
                // A folder replacing a file: the file is gone.
                self.kept.retain(|kept, _| kept != &path);
                continue;
            }
            // A sparse file is a file: its holes read as zeros.
            if !kind.is_file() && kind != tar::EntryType::GNUSparse {
                continue;
            }
            self.files_seen += 1;
            let size = entry.size();
            self.regular_file(layer.index, path, size, &mut entry)?;
        }
        Ok(())
    }

    /// One regular file of a layer (or of a root filesystem): kept when it says what is
    /// installed, shown to the visitor when small, and searched for build information when it
    /// is an executable.
    fn regular_file(
        &mut self,
        layer: usize,
        path: String,
        size: u64,
        entry: &mut dyn Read,
    ) -> Result<(), ImageError> {
        // Whatever a lower layer kept at this path is replaced by this file.
        self.kept.remove(&path);
        let keep = is_kept_path(&path);
        let visit = size <= self.limits.max_visited_file_bytes;
        if keep && size > self.limits.max_kept_file_bytes {
            self.notes.push(format!(
                "layer {layer}: /{path} is {size} bytes, more than the {} read: not inventoried",
                self.limits.max_kept_file_bytes
            ));
            return Ok(());
        }
        let failed = |e: std::io::Error| ImageError::Malformed(format!("/{path}: {e}"));
        self.buffer.clear();
        if !keep && !visit {
            // A large file: only an executable's build information is of interest. Its first
            // bytes say whether it is one; the rest is read only if so.
            let mut head = [0u8; 4];
            let read = read_up_to(entry, &mut head).map_err(failed)?;
            if !binaries::is_elf(&head[..read]) {
                return Ok(());
            }
            let info = if size <= self.limits.max_binary_bytes {
                self.buffer.extend_from_slice(&head[..read]);
                entry.read_to_end(&mut self.buffer).map_err(failed)?;
                binaries::inspect(&self.buffer)
            } else {
                let mut stream =
                    Read::chain(&head[..read], entry).take(self.limits.max_streamed_binary_bytes);
                binaries::scan_go_stream(&mut stream).map_err(failed)?
            };
            self.keep_build_info(layer, path, info);
            return Ok(());
        }
        entry.read_to_end(&mut self.buffer).map_err(failed)?;
        if visit {
            self.visitor.visit(&VisitedFile {
                layer,
                path: &path,
                content: &self.buffer,
            });
        }
        if keep {
            self.kept.insert(
                path,
                KeptFile {
                    layer,
                    content: std::mem::take(&mut self.buffer),
                    link: None,
                    kind: KeptKind::File,
                },
            );
        } else {
            let info = binaries::inspect(&self.buffer);
            self.keep_build_info(layer, path, info);
        }
        Ok(())
    }

    fn keep_build_info(&mut self, layer: usize, path: String, info: Option<binaries::BinaryInfo>) {
        if let Some(info) = info {
            self.kept.insert(
                path,
                KeptFile {
                    layer,
                    content: info.to_text().into_bytes(),
                    link: None,
                    kind: KeptKind::BuildInfo,
                },
            );
        }
    }

    /// An unpacked root filesystem: walked without following symbolic links out of it.
    fn folder(&mut self, layer: usize, root: &Path) -> Result<(), ImageError> {
        let mut pending = vec![root.to_path_buf()];
        while let Some(folder) = pending.pop() {
            let listing = match std::fs::read_dir(&folder) {
                Ok(listing) => listing,
                Err(error) => {
                    self.notes.push(format!("{}: {error}", folder.display()));
                    continue;
                }
            };
            let mut children: Vec<_> = listing.filter_map(Result::ok).collect();
            children.sort_by_key(|child| child.file_name());
            for child in children {
                self.count_entry()?;
                let full = child.path();
                let Ok(relative) = full.strip_prefix(root) else {
                    continue;
                };
                let path = normalise_path(&relative.to_string_lossy().replace('\\', "/"));
                let Ok(metadata) = std::fs::symlink_metadata(&full) else {
                    continue;
                };
                if metadata.file_type().is_symlink() {
                    if is_kept_path(&path)
                        && let Ok(target) = std::fs::read_link(&full)
                    {
                        self.kept.insert(
                            path,
                            KeptFile {
                                layer,
                                content: Vec::new(),
                                link: Some(target.to_string_lossy().into_owned()),
                                kind: KeptKind::File,
                            },
                        );
                    }
                    continue;
                }
                if metadata.is_dir() {
                    pending.push(full);
                    continue;
                }
                if !metadata.is_file() {
                    continue;
                }
                self.files_seen += 1;
                let mut file = match std::fs::File::open(&full) {
                    Ok(file) => file,
                    Err(error) => {
                        self.notes.push(format!("/{path}: {error}"));
                        continue;
                    }
                };
                let size = metadata.len();
                self.bytes_read += size;
                if let Err(error) = self.regular_file(layer, path, size, &mut file) {
                    self.notes.push(error.to_string());
                }
            }
        }
        Ok(())
    }
}

/// Reads until `buffer` is full or the stream ends; how many bytes were read.
fn read_up_to(reader: &mut dyn Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..])? {
            0 => break,
            read => filled += read,
        }
    }
    Ok(filled)
}

/// Counts what is read and stops at a limit (a decompression bomb ends there).
struct CountingReader<R> {
    inner: R,
    count: u64,
    limit: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.count >= self.limit {
            return Ok(0);
        }
        let room = usize::try_from(self.limit - self.count).unwrap_or(usize::MAX);
        let want = buf.len().min(room);
        let read = self.inner.read(&mut buf[..want])?;
        self.count += read as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::{self, PackageKind};

    const MODULES: &str = "path\texample.com/api\nmod\texample.com/api\t(devel)\t\ndep\tgolang.org/x/net\tv0.7.0\th1:b=\n";

    #[test]
    fn programs_are_searched_for_their_build_information_whole_or_streamed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for folder in ["usr/local/bin", "bin", "usr/bin"] {
            std::fs::create_dir_all(root.join(folder)).expect("mkdir");
        }
        // Larger than the whole-read limit below: searched as a stream.
        std::fs::write(
            root.join("usr/local/bin/api"),
            binaries::tests::go_binary("go1.20.1", MODULES, 3 * 1024 * 1024),
        )
        .expect("write");
        // Small enough to be shown to the visitor, and read whole.
        std::fs::write(
            root.join("bin/tool"),
            binaries::tests::go_binary(
                "go1.22.0",
                "dep\tgithub.com/spf13/cobra\tv1.8.0\th1:x=\n",
                100,
            ),
        )
        .expect("write");
        std::fs::write(root.join("usr/bin/cat"), b"\x7fELF a C program without Go").expect("write");
        let limits = ImageLimits {
            max_binary_bytes: 2 * 1024 * 1024,
            ..ImageLimits::default()
        };
        let image = read_image(root, &limits, &mut NoVisitor).expect("reads");
        let programs: Vec<&str> = image
            .kept
            .iter()
            .filter(|(_, file)| file.kind == KeptKind::BuildInfo)
            .map(|(path, _)| path.as_str())
            .collect();
        assert_eq!(programs, ["bin/tool", "usr/local/bin/api"]);
        let software = packages::inventory(&image);
        let mut found: Vec<(String, String)> = software
            .packages
            .iter()
            .filter(|p| p.kind == PackageKind::Go)
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("github.com/spf13/cobra".to_string(), "v1.8.0".to_string()),
                ("golang.org/x/net".to_string(), "v0.7.0".to_string()),
                ("stdlib".to_string(), "1.20.1".to_string()),
                ("stdlib".to_string(), "1.22.0".to_string()),
            ]
        );
    }
}
