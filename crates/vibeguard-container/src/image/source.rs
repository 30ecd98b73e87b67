//! Where an image's layers are, without a container daemon: a `docker save` archive, an OCI
//! image layout (a folder, or an `oci-archive:` tar), or an unpacked root filesystem. An archive
//! is scanned once for its entries' places (a seek past each file's data), its manifest and
//! config are read (small JSON documents), and each layer is then opened at its place and
//! streamed: the image is never held in memory or unpacked to disk. A gzip-compressed archive
//! (`docker save | gzip`) cannot be sought in, so it is first decompressed to a temporary file.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{ImageError, ImageLimits};

/// How an image is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// `docker save` output (a `manifest.json` naming the config and the layers).
    DockerArchive,
    /// An OCI image layout (`oci-layout`, `index.json`, `blobs/`), in a folder or a tar.
    OciLayout,
    /// An unpacked root filesystem: one layer, the folder itself.
    RootFs,
}

impl ImageFormat {
    /// How reports name it.
    pub fn label(self) -> &'static str {
        match self {
            ImageFormat::DockerArchive => "docker save archive",
            ImageFormat::OciLayout => "OCI image layout",
            ImageFormat::RootFs => "root filesystem folder",
        }
    }
}

/// One layer: where its bytes are.
#[derive(Debug, Clone)]
pub enum LayerPlace {
    /// A byte range of the image archive.
    InArchive {
        /// Offset of the layer's data in the archive.
        offset: u64,
        /// Its length.
        length: u64,
    },
    /// A file of an image folder.
    File(PathBuf),
    /// The root filesystem folder itself.
    Folder(PathBuf),
}

/// A layer to read, in the order the image applies it.
#[derive(Debug, Clone)]
pub struct LayerRef {
    /// 1-based position.
    pub index: usize,
    /// The layer's digest or name in the archive.
    pub id: String,
    /// Where it is.
    pub place: LayerPlace,
}

/// An image located: its layers and its configuration document.
#[derive(Debug)]
pub struct LocatedImage {
    /// The format.
    pub format: ImageFormat,
    /// The archive to read layers from (the original, or its decompressed copy).
    pub archive: Option<PathBuf>,
    /// The layers, bottom first.
    pub layers: Vec<LayerRef>,
    /// The image configuration (`config.json`), when the format has one.
    pub config: Option<Vec<u8>>,
    /// Kept alive while the layers are read: the decompressed copy of a gzip archive.
    pub _scratch: Option<tempfile::TempPath>,
}

/// Largest manifest, index or config document read.
const MAX_DOCUMENT_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Deserialize)]
struct DockerManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

#[derive(Deserialize)]
struct OciDescriptor {
    #[serde(rename = "mediaType", default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    platform: Option<OciPlatform>,
}

#[derive(Deserialize)]
struct OciPlatform {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
}

#[derive(Deserialize)]
struct OciIndex {
    #[serde(default)]
    manifests: Vec<OciDescriptor>,
}

#[derive(Deserialize)]
struct OciManifest {
    config: OciDescriptor,
    #[serde(default)]
    layers: Vec<OciDescriptor>,
}

/// Reads the documents of an image, wherever they are stored.
trait Documents {
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ImageError>;
    fn place(&self, name: &str) -> Option<LayerPlace>;
}

/// The entries of a tar archive, by normalised name.
struct ArchiveDocuments {
    path: PathBuf,
    entries: BTreeMap<String, (u64, u64)>,
}

struct FolderDocuments {
    root: PathBuf,
}

fn normalise(name: &str) -> String {
    name.trim_start_matches("./")
        .trim_start_matches('/')
        .to_string()
}

impl Documents for ArchiveDocuments {
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ImageError> {
        let Some(&(offset, length)) = self.entries.get(&normalise(name)) else {
            return Ok(None);
        };
        if length > MAX_DOCUMENT_BYTES {
            return Err(ImageError::Malformed(format!(
                "{name} is {length} bytes, more than an image document can be"
            )));
        }
        let mut file = File::open(&self.path).map_err(|e| ImageError::io(&self.path, &e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| ImageError::io(&self.path, &e))?;
        let mut bytes = Vec::with_capacity(length as usize);
        file.take(length)
            .read_to_end(&mut bytes)
            .map_err(|e| ImageError::io(&self.path, &e))?;
        Ok(Some(bytes))
    }

    fn place(&self, name: &str) -> Option<LayerPlace> {
        self.entries
            .get(&normalise(name))
            .map(|&(offset, length)| LayerPlace::InArchive { offset, length })
    }
}

impl Documents for FolderDocuments {
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ImageError> {
        let path = self.root.join(normalise(name));
        if !inside(&self.root, &path) || !path.is_file() {
            return Ok(None);
        }
        let file = File::open(&path).map_err(|e| ImageError::io(&path, &e))?;
        let mut bytes = Vec::new();
        file.take(MAX_DOCUMENT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ImageError::io(&path, &e))?;
        if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(ImageError::Malformed(format!(
                "{} is larger than an image document can be",
                path.display()
            )));
        }
        Ok(Some(bytes))
    }

    fn place(&self, name: &str) -> Option<LayerPlace> {
        let path = self.root.join(normalise(name));
        (inside(&self.root, &path) && path.is_file()).then_some(LayerPlace::File(path))
    }
}

/// Whether `path` stays inside `root` (a manifest naming `../../etc/passwd` is refused).
fn inside(root: &Path, path: &Path) -> bool {
    match (root.canonicalize(), path.canonicalize()) {
        (Ok(root), Ok(path)) => path.starts_with(root),
        _ => false,
    }
}

/// Finds the layers and config of the image at `path`.
pub fn locate(path: &Path, limits: &ImageLimits) -> Result<LocatedImage, ImageError> {
    let metadata = std::fs::metadata(path).map_err(|e| ImageError::io(path, &e))?;
    if metadata.is_dir() {
        let mut documents = FolderDocuments {
            root: path.to_path_buf(),
        };
        if path.join("manifest.json").is_file() {
            return from_documents(
                &mut documents,
                ImageFormat::DockerArchive,
                None,
                None,
                limits,
            );
        }
        if path.join("index.json").is_file() {
            return from_documents(&mut documents, ImageFormat::OciLayout, None, None, limits);
        }
        return Ok(LocatedImage {
            format: ImageFormat::RootFs,
            archive: None,
            layers: vec![LayerRef {
                index: 1,
                id: path.display().to_string(),
                place: LayerPlace::Folder(path.to_path_buf()),
            }],
            config: None,
            _scratch: None,
        });
    }
    let mut file = File::open(path).map_err(|e| ImageError::io(path, &e))?;
    let mut magic = [0u8; 4];
    let read = file
        .read(&mut magic)
        .map_err(|e| ImageError::io(path, &e))?;
    let (archive, scratch) = if read >= 2 && magic[..2] == [0x1f, 0x8b] {
        let scratch = decompress_to_scratch(path, limits)?;
        (scratch.to_path_buf(), Some(scratch))
    } else {
        (path.to_path_buf(), None)
    };
    let entries = archive_entries(&archive, limits)?;
    let mut documents = ArchiveDocuments {
        path: archive.clone(),
        entries,
    };
    let format = if documents.entries.contains_key("manifest.json") {
        ImageFormat::DockerArchive
    } else if documents.entries.contains_key("index.json") {
        ImageFormat::OciLayout
    } else {
        return Err(ImageError::Malformed(format!(
            "{} is a tar archive without manifest.json or index.json: not a `docker save` \
             archive or an OCI image layout",
            path.display()
        )));
    };
    from_documents(&mut documents, format, Some(archive), scratch, limits)
}

fn decompress_to_scratch(
    path: &Path,
    limits: &ImageLimits,
) -> Result<tempfile::TempPath, ImageError> {
    let input = File::open(path).map_err(|e| ImageError::io(path, &e))?;
    let mut decoder = flate2::read::MultiGzDecoder::new(BufReader::new(input));
    let scratch = tempfile::NamedTempFile::new().map_err(|e| ImageError::io(path, &e))?;
    let (mut output, scratch_path) = scratch.into_parts();
    let copied = io::copy(
        &mut (&mut decoder).take(limits.max_uncompressed_bytes + 1),
        &mut output,
    )
    .map_err(|e| {
        ImageError::Malformed(format!(
            "{}: not a readable gzip file ({e})",
            path.display()
        ))
    })?;
    if copied > limits.max_uncompressed_bytes {
        return Err(ImageError::TooLarge(format!(
            "{} decompresses to more than {} bytes",
            path.display(),
            limits.max_uncompressed_bytes
        )));
    }
    Ok(scratch_path)
}

/// The regular files of the archive at `path`: normalised name -> (data offset, length).
fn archive_entries(
    path: &Path,
    limits: &ImageLimits,
) -> Result<BTreeMap<String, (u64, u64)>, ImageError> {
    let file = File::open(path).map_err(|e| ImageError::io(path, &e))?;
    let mut archive = tar::Archive::new(file);
    let mut entries = BTreeMap::new();
    let listing = archive
        .entries_with_seek()
        .map_err(|e| ImageError::io(path, &e))?;
    for entry in listing {
        let entry = entry.map_err(|e| {
            ImageError::Malformed(format!(
                "{}: not a readable tar archive ({e})",
                path.display()
            ))
        })?;
        if entries.len() >= limits.max_entries {
            return Err(ImageError::TooLarge(format!(
                "{} holds more than {} entries",
                path.display(),
                limits.max_entries
            )));
        }
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        entries.insert(normalise(&name), (entry.raw_file_position(), entry.size()));
    }
    Ok(entries)
}

fn from_documents(
    documents: &mut dyn Documents,
    format: ImageFormat,
    archive: Option<PathBuf>,
    scratch: Option<tempfile::TempPath>,
    limits: &ImageLimits,
) -> Result<LocatedImage, ImageError> {
    let (config_name, layer_names) = match format {
        ImageFormat::DockerArchive => {
            let bytes = documents
                .read("manifest.json")?
                .ok_or_else(|| ImageError::Malformed("manifest.json is missing".into()))?;
            let manifest: Vec<DockerManifestEntry> = serde_json::from_slice(&bytes)
                .map_err(|e| ImageError::Malformed(format!("manifest.json: {e}")))?;
            let first = manifest
                .into_iter()
                .next()
                .ok_or_else(|| ImageError::Malformed("manifest.json lists no image".into()))?;
            (first.config, first.layers)
        }
        ImageFormat::OciLayout => oci_manifest(documents)?,
        ImageFormat::RootFs => {
            return Err(ImageError::Malformed(
                "a root filesystem has no manifest".into(),
            ));
        }
    };
    if layer_names.len() > limits.max_layers {
        return Err(ImageError::TooLarge(format!(
            "the image has {} layers, more than {}",
            layer_names.len(),
            limits.max_layers
        )));
    }
    let config = documents.read(&config_name)?;
    let mut layers = Vec::new();
    for (index, name) in layer_names.iter().enumerate() {
        let place = documents.place(name).ok_or_else(|| {
            ImageError::Malformed(format!(
                "layer {} ({name}) is missing from the image",
                index + 1
            ))
        })?;
        layers.push(LayerRef {
            index: index + 1,
            id: name.clone(),
            place,
        });
    }
    Ok(LocatedImage {
        format,
        archive,
        layers,
        config,
        _scratch: scratch,
    })
}

fn blob_name(digest: &str) -> Result<String, ImageError> {
    let (algorithm, hex) = digest
        .split_once(':')
        .ok_or_else(|| ImageError::Malformed(format!("`{digest}` is not a digest")))?;
    if algorithm.is_empty()
        || hex.is_empty()
        || !algorithm
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '.' || c == '_' || c == '-')
        || !hex.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(ImageError::Malformed(format!("`{digest}` is not a digest")));
    }
    Ok(format!("blobs/{algorithm}/{hex}"))
}

/// The config and layers of an OCI layout: `index.json`, through nested indexes (the
/// linux/amd64 image of a multi-platform index, else the first), to one image manifest.
fn oci_manifest(documents: &mut dyn Documents) -> Result<(String, Vec<String>), ImageError> {
    let mut bytes = documents
        .read("index.json")?
        .ok_or_else(|| ImageError::Malformed("index.json is missing".into()))?;
    for _ in 0..4 {
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ImageError::Malformed(format!("an OCI index or manifest: {e}")))?;
        if value.get("layers").is_some() || value.get("config").is_some() {
            let manifest: OciManifest = serde_json::from_value(value)
                .map_err(|e| ImageError::Malformed(format!("an OCI image manifest: {e}")))?;
            let layers = manifest
                .layers
                .iter()
                .map(|layer| blob_name(&layer.digest))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok((blob_name(&manifest.config.digest)?, layers));
        }
        let index: OciIndex = serde_json::from_value(value)
            .map_err(|e| ImageError::Malformed(format!("an OCI index: {e}")))?;
        let chosen = index
            .manifests
            .iter()
            .filter(|m| !m.media_type.contains("attestation"))
            .find(|m| {
                m.platform
                    .as_ref()
                    .is_some_and(|p| p.os == "linux" && p.architecture == "amd64")
            })
            .or_else(|| index.manifests.first())
            .ok_or_else(|| ImageError::Malformed("the OCI index lists no manifest".into()))?;
        let name = blob_name(&chosen.digest)?;
        bytes = documents
            .read(&name)?
            .ok_or_else(|| ImageError::Malformed(format!("{name} is missing from the image")))?;
    }
    Err(ImageError::Malformed(
        "OCI indexes nest more than four deep".into(),
    ))
}

/// A layer's bytes as a tar stream, decompressed (gzip or zstd, by their magic numbers).
pub fn open_layer(image: &LocatedImage, layer: &LayerRef) -> Result<Box<dyn Read>, ImageError> {
    let raw: Box<dyn Read> = match &layer.place {
        LayerPlace::InArchive { offset, length } => {
            let archive = image
                .archive
                .as_ref()
                .ok_or_else(|| ImageError::Malformed("a layer without its archive".into()))?;
            let mut file = File::open(archive).map_err(|e| ImageError::io(archive, &e))?;
            file.seek(SeekFrom::Start(*offset))
                .map_err(|e| ImageError::io(archive, &e))?;
            Box::new(file.take(*length))
        }
        LayerPlace::File(path) => Box::new(File::open(path).map_err(|e| ImageError::io(path, &e))?),
        LayerPlace::Folder(path) => {
            return Err(ImageError::Malformed(format!(
                "{} is a folder, not a layer archive",
                path.display()
            )));
        }
    };
    let mut buffered = BufReader::with_capacity(64 * 1024, raw);
    let head = buffered
        .fill_buf()
        .map_err(|e| ImageError::Malformed(format!("layer {}: {e}", layer.index)))?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(buffered))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(
            ruzstd::decoding::StreamingDecoder::new(buffered).map_err(|e| {
                ImageError::Malformed(format!(
                    "layer {}: not a readable zstd stream ({e})",
                    layer.index
                ))
            })?,
        )
    } else {
        Box::new(buffered)
    })
}
