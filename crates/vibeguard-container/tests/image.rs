//! Images built here, byte for byte as `docker save`, `skopeo copy … oci:` and an unpacked root
//! filesystem lay them out, read back through `image::read_image` and `packages::inventory`.

use std::io::Write;
use std::path::Path;

use vibeguard_container::image::{
    FileVisitor, ImageError, ImageFormat, ImageLimits, NoVisitor, VisitedFile, read_image,
};
use vibeguard_container::packages::{self, PackageKind};

/// A layer's entries: (path, content) files, (path, None) whiteouts or folders by name,
/// symbolic links as ("path", "->target").
enum Item<'a> {
    File(&'a str, &'a [u8]),
    Link(&'a str, &'a str),
    Folder(&'a str),
}

fn layer_tar(items: &[Item<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for item in items {
        let mut header = tar::Header::new_gnu();
        match item {
            Item::File(path, content) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(content.len() as u64);
                header.set_mode(0o644);
                builder
                    .append_data(&mut header, path, *content)
                    .expect("test input");
            }
            Item::Link(path, target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                builder
                    .append_link(&mut header, path, target)
                    .expect("test input");
            }
            Item::Folder(path) => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_size(0);
                header.set_mode(0o755);
                builder
                    .append_data(&mut header, path, &[][..])
                    .expect("test input");
            }
        }
    }
    builder.into_inner().expect("test input")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("test input");
    encoder.finish().expect("test input")
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

fn outer_tar(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        builder
            .append_data(&mut header, path, content.as_slice())
            .expect("test input");
    }
    builder.into_inner().expect("test input")
}

const OS_RELEASE: &[u8] =
    b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";
const DPKG_STATUS: &[u8] = b"Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u1\n\nPackage: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\nSource: bash (5.2.15-2)\n";
const CONFIG: &[u8] = br#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin","STRIPE_SECRET_KEY=sk_live_0123456789abcdefABCDEF01"],"User":""},"history":[{"created_by":"/bin/sh -c #(nop) ADD file:abc in / "},{"created_by":"COPY . /app # buildkit"}]}"#;

/// Three layers: a Debian base (os-release through a link, dpkg status, a `.env`), an app layer
/// that deletes the `.env` and adds two npm packages, and a layer that makes `node_modules`
/// opaque (only its own package survives) and deletes one more file.
fn layers() -> Vec<Vec<u8>> {
    vec![
        gzip(&layer_tar(&[
            Item::Folder("etc"),
            Item::Link("etc/os-release", "../usr/lib/os-release"),
            Item::File("usr/lib/os-release", OS_RELEASE),
            Item::File("var/lib/dpkg/status", DPKG_STATUS),
            Item::File("app/.env", b"DATABASE_PASSWORD=hunter2-but-longer\n"),
            Item::File(
                "usr/lib/python3/dist-packages/requests-2.25.0.dist-info/METADATA",
                b"Name: requests\nVersion: 2.25.0\n",
            ),
        ])),
        zstd(&layer_tar(&[
            Item::File("app/.wh..env", b""),
            Item::File(
                "app/node_modules/lodash/package.json",
                br#"{"name":"lodash","version":"4.17.20"}"#,
            ),
            Item::File(
                "app/node_modules/@types/node/package.json",
                br#"{"name":"@types/node","version":"20.1.0"}"#,
            ),
        ])),
        layer_tar(&[
            Item::File("app/node_modules/.wh..wh..opq", b""),
            Item::File(
                "app/node_modules/express/package.json",
                br#"{"name":"express","version":"4.17.1"}"#,
            ),
            Item::File(
                "usr/lib/python3/dist-packages/.wh.requests-2.25.0.dist-info",
                b"",
            ),
        ]),
    ]
}

fn docker_archive(dir: &Path) -> std::path::PathBuf {
    let layers = layers();
    let mut files = vec![
        ("manifest.json".to_string(), br#"[{"Config":"config.json","RepoTags":["app:latest"],"Layers":["l1/layer.tar","l2/layer.tar","l3/layer.tar"]}]"#.to_vec()),
    ];
    // Layers stored out of order: the manifest decides the order, not the archive.
    files.push(("l3/layer.tar".into(), layers[2].clone()));
    files.push(("l1/layer.tar".into(), layers[0].clone()));
    files.push(("config.json".into(), CONFIG.to_vec()));
    files.push(("l2/layer.tar".into(), layers[1].clone()));
    let path = dir.join("app.tar");
    std::fs::write(&path, outer_tar(&files)).expect("test input");
    path
}

fn digest(name: &str) -> String {
    // Not a real sha256: the reader addresses blobs by name and never trusts a digest.
    format!("sha256:{:0>64}", name)
}

fn oci_files() -> Vec<(String, Vec<u8>)> {
    let layers = layers();
    let types = [
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.v1.tar",
    ];
    let layer_list: Vec<String> = (0..3)
        .map(|i| {
            format!(
                r#"{{"mediaType":"{}","digest":"{}","size":{}}}"#,
                types[i],
                digest(&format!("a{i}")),
                layers[i].len()
            )
        })
        .collect();
    let manifest = format!(
        r#"{{"schemaVersion":2,"config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}"}},"layers":[{}]}}"#,
        digest("c0"),
        layer_list.join(",")
    );
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","platform":{{"architecture":"arm64","os":"linux"}}}},{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","platform":{{"architecture":"amd64","os":"linux"}}}}]}}"#,
        digest("e0"),
        digest("d0")
    );
    let mut files = vec![
        (
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        ("index.json".to_string(), index.into_bytes()),
        (format!("blobs/sha256/{:0>64}", "d0"), manifest.into_bytes()),
        (
            format!("blobs/sha256/{:0>64}", "e0"),
            b"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:00\"},\"layers\":[]}".to_vec(),
        ),
        (format!("blobs/sha256/{:0>64}", "c0"), CONFIG.to_vec()),
    ];
    for (i, layer) in layers.into_iter().enumerate() {
        files.push((format!("blobs/sha256/{:0>64}", format!("a{i}")), layer));
    }
    files
}

#[derive(Default)]
struct Seen(Vec<(usize, String)>);

impl FileVisitor for Seen {
    fn visit(&mut self, file: &VisitedFile<'_>) {
        self.0.push((file.layer, file.path.to_string()));
    }
}

fn check_app_image(path: &Path, format: ImageFormat) {
    let mut seen = Seen::default();
    let image = read_image(path, &ImageLimits::default(), &mut seen).expect("test input");
    assert_eq!(image.format, format);
    assert_eq!(image.layers.len(), 3);
    assert!(image.notes.is_empty(), "{:?}", image.notes);
    // The deleted `.env` is still in the image's first layer, and was shown.
    assert!(
        seen.0.contains(&(1, "app/.env".to_string())),
        "{:?}",
        seen.0
    );
    let software = packages::inventory(&image);
    let distribution = software
        .distribution
        .as_ref()
        .expect("os-release through its link");
    assert_eq!(
        (distribution.id.as_str(), distribution.version_id.as_deref()),
        ("debian", Some("12"))
    );
    let mut names: Vec<(PackageKind, &str, &str, usize)> = software
        .packages
        .iter()
        .map(|p| (p.kind, p.name.as_str(), p.version.as_str(), p.layer))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            (PackageKind::Dpkg, "bash", "5.2.15-2", 1),
            (PackageKind::Dpkg, "openssl", "3.0.11-1~deb12u1", 1),
            // lodash and @types/node are hidden by the opaque folder; requests by a whiteout.
            (PackageKind::Npm, "express", "4.17.1", 3),
        ]
    );
    let config = image.config.expect("the image configuration");
    assert!(
        config
            .config
            .env
            .expect("test input")
            .iter()
            .any(|e| e.starts_with("STRIPE_SECRET_KEY="))
    );
    assert_eq!(config.history.len(), 2);
}

#[test]
fn reads_a_docker_save_archive() {
    let dir = tempfile::tempdir().expect("test input");
    check_app_image(&docker_archive(dir.path()), ImageFormat::DockerArchive);
}

#[test]
fn reads_a_gzip_compressed_docker_save_archive() {
    let dir = tempfile::tempdir().expect("test input");
    let plain = docker_archive(dir.path());
    let compressed = dir.path().join("app.tar.gz");
    std::fs::write(
        &compressed,
        gzip(&std::fs::read(&plain).expect("test input")),
    )
    .expect("test input");
    check_app_image(&compressed, ImageFormat::DockerArchive);
}

#[test]
fn reads_an_oci_layout_folder_and_archive() {
    let dir = tempfile::tempdir().expect("test input");
    let layout = dir.path().join("layout");
    for (path, content) in oci_files() {
        let full = layout.join(&path);
        std::fs::create_dir_all(full.parent().expect("test input")).expect("test input");
        std::fs::write(full, content).expect("test input");
    }
    check_app_image(&layout, ImageFormat::OciLayout);
    let archive = dir.path().join("app-oci.tar");
    std::fs::write(&archive, outer_tar(&oci_files())).expect("test input");
    check_app_image(&archive, ImageFormat::OciLayout);
}

#[test]
fn reads_an_unpacked_root_filesystem() {
    let dir = tempfile::tempdir().expect("test input");
    let root = dir.path();
    std::fs::create_dir_all(root.join("lib/apk/db")).expect("test input");
    std::fs::create_dir_all(root.join("etc")).expect("test input");
    std::fs::write(
        root.join("etc/os-release"),
        "ID=alpine\nVERSION_ID=3.19.1\n",
    )
    .expect("test input");
    std::fs::write(
        root.join("lib/apk/db/installed"),
        "P:libcrypto3\nV:3.1.4-r1\no:openssl\n\nP:musl\nV:1.2.4-r2\n",
    )
    .expect("test input");
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc", root.join("outside")).expect("test input");
    let image = read_image(root, &ImageLimits::default(), &mut NoVisitor).expect("test input");
    assert_eq!(image.format, ImageFormat::RootFs);
    let software = packages::inventory(&image);
    assert_eq!(software.distribution.expect("test input").id, "alpine");
    let names: Vec<&str> = software.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["openssl", "musl"]);
}

#[test]
fn hostile_images_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("test input");
    // A manifest that names a file outside the image folder.
    let folder = dir.path().join("escape");
    std::fs::create_dir_all(&folder).expect("test input");
    std::fs::write(
        folder.join("manifest.json"),
        br#"[{"Config":"../../../etc/passwd","Layers":["../../../etc/hostname"]}]"#,
    )
    .expect("test input");
    let error = read_image(&folder, &ImageLimits::default(), &mut NoVisitor).expect_err("refused");
    assert!(error.to_string().contains("missing"), "{error}");

    // A tar archive that is no image.
    let plain = dir.path().join("plain.tar");
    std::fs::write(
        &plain,
        outer_tar(&[("readme.txt".into(), b"hello".to_vec())]),
    )
    .expect("test input");
    let error = read_image(&plain, &ImageLimits::default(), &mut NoVisitor).expect_err("refused");
    assert!(
        error.to_string().contains("not a `docker save` archive"),
        "{error}"
    );

    // Random bytes.
    let junk = dir.path().join("junk.tar");
    std::fs::write(&junk, [0x42u8; 3000]).expect("test input");
    assert!(read_image(&junk, &ImageLimits::default(), &mut NoVisitor).is_err());

    // A decompression bomb: 64 MB of zeros in a small gzip layer, read with a 16 MB limit.
    let zeros = vec![0u8; 64 * 1024 * 1024];
    let bomb = gzip(&layer_tar(&[Item::File("zeros", &zeros)]));
    assert!(bomb.len() < 1024 * 1024);
    let path = dir.path().join("bomb.tar");
    std::fs::write(
        &path,
        outer_tar(&[
            (
                "manifest.json".into(),
                br#"[{"Config":"c.json","Layers":["bomb.tar"]}]"#.to_vec(),
            ),
            ("c.json".into(), b"{}".to_vec()),
            ("bomb.tar".into(), bomb),
        ]),
    )
    .expect("test input");
    let limits = ImageLimits {
        max_uncompressed_bytes: 16 * 1024 * 1024,
        ..ImageLimits::default()
    };
    let error = read_image(&path, &limits, &mut NoVisitor).expect_err("refused");
    assert!(matches!(error, ImageError::TooLarge(_)), "{error}");
}

#[test]
fn a_damaged_layer_is_named_and_the_others_are_still_read() {
    let dir = tempfile::tempdir().expect("test input");
    let mut layers = layers();
    layers[1] = b"\x28\xb5\x2f\xfdthis is not zstd at all".to_vec();
    let path = dir.path().join("damaged.tar");
    std::fs::write(
        &path,
        outer_tar(&[
            (
                "manifest.json".into(),
                br#"[{"Config":"c.json","Layers":["1.tar","2.tar","3.tar"]}]"#.to_vec(),
            ),
            ("c.json".into(), CONFIG.to_vec()),
            ("1.tar".into(), layers[0].clone()),
            ("2.tar".into(), layers[1].clone()),
            ("3.tar".into(), layers[2].clone()),
        ]),
    )
    .expect("test input");
    let image = read_image(&path, &ImageLimits::default(), &mut NoVisitor).expect("test input");
    assert_eq!(image.notes.len(), 1, "{:?}", image.notes);
    assert!(
        image.notes[0].starts_with("layer 2 (2.tar) could not be read"),
        "{:?}",
        image.notes
    );
    let software = packages::inventory(&image);
    assert!(software.packages.iter().any(|p| p.name == "openssl"));
}

/// A raw tar entry, written without the builder's path checks (which refuse `..`).
fn raw_entry(name: &str, kind: tar::EntryType, data: &[u8], link: Option<&str>) -> Vec<u8> {
    let mut header = tar::Header::new_old();
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    if let Some(link) = link {
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
    }
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o755);
    header.set_cksum();
    let mut bytes = header.as_bytes().to_vec();
    bytes.extend_from_slice(data);
    bytes.resize(bytes.len().div_ceil(512) * 512, 0);
    bytes
}

/// A GNU sparse entry of `real_size` bytes storing only 512 of them, at `offset` (the rest
/// holes).
fn sparse_entry(name: &str, real_size: u64, offset: u64, stored: &[u8; 512]) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    header.set_path(name).expect("path");
    header.set_entry_type(tar::EntryType::GNUSparse);
    header.set_size(512);
    header.set_mode(0o755);
    let gnu = header.as_gnu_mut().expect("gnu");
    gnu.set_real_size(real_size);
    gnu.sparse[0].set_offset(offset);
    gnu.sparse[0].set_length(512);
    // As GNU tar writes them: a last, empty chunk at the real size when the data ends earlier.
    if offset + 512 < real_size {
        gnu.sparse[1].set_offset(real_size);
        gnu.sparse[1].set_length(0);
    }
    header.set_cksum();
    let mut bytes = header.as_bytes().to_vec();
    bytes.extend_from_slice(stored);
    bytes
}

#[test]
fn hostile_layers_are_read_without_escaping_or_exploding() {
    let escape = std::env::temp_dir().join("vibeguard-escape-test");
    let _ = std::fs::remove_file(&escape);
    let mut layer = Vec::new();
    layer.extend(raw_entry(
        &format!("../../../../../..{}", escape.display()),
        tar::EntryType::Regular,
        b"escaped",
        None,
    ));
    // An absolute link out of the image: never resolved on the host.
    layer.extend(raw_entry(
        "etc/os-release",
        tar::EntryType::Symlink,
        b"",
        Some("/etc/os-release"),
    ));
    layer.extend(raw_entry(
        "usr/lib/os-release",
        tar::EntryType::Symlink,
        b"",
        Some("../../etc/os-release"),
    ));
    // 10 GB files stored sparse: a package database, and an executable searched only up to the
    // streamed limit (it would otherwise be 10 GB of zeros to search).
    let mut elf_head = [0u8; 512];
    elf_head[..4].copy_from_slice(b"\x7fELF");
    layer.extend(sparse_entry(
        "var/lib/dpkg/status",
        10 << 30,
        (10 << 30) - 512,
        &[b'x'; 512],
    ));
    layer.extend(sparse_entry("usr/bin/huge", 10 << 30, 0, &elf_head));
    layer.extend(raw_entry(
        "app/ok.txt",
        tar::EntryType::Regular,
        b"fine",
        None,
    ));
    layer.extend([0u8; 1024]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hostile.tar");
    std::fs::write(
        &path,
        outer_tar(&[
            (
                "manifest.json".into(),
                br#"[{"Config":"c.json","Layers":["l.tar"]}]"#.to_vec(),
            ),
            ("c.json".into(), b"{}".to_vec()),
            ("l.tar".into(), layer),
        ]),
    )
    .expect("write");
    let mut seen = Seen::default();
    let image = read_image(&path, &ImageLimits::default(), &mut seen).expect("reads");
    assert!(
        !escape.exists(),
        "nothing is written outside a temporary folder"
    );
    let climbed = escape
        .display()
        .to_string()
        .trim_start_matches('/')
        .to_string();
    assert!(
        seen.0.iter().any(|(_, p)| *p == climbed),
        "`..` stops at the image's root: {:?}",
        seen.0
    );
    assert!(
        seen.0.iter().any(|(_, p)| p == "app/ok.txt"),
        "{:?} {:?}",
        seen.0,
        image.notes
    );
    assert!(
        image
            .notes
            .iter()
            .any(|n| n.contains("var/lib/dpkg/status") && n.contains("not inventoried")),
        "{:?}",
        image.notes
    );
    let software = packages::inventory(&image);
    assert_eq!(
        software.distribution, None,
        "the host's os-release is never read"
    );
    assert!(software.packages.is_empty());

    // A manifest that is not JSON.
    let corrupt = dir.path().join("corrupt.tar");
    std::fs::write(
        &corrupt,
        outer_tar(&[("manifest.json".into(), b"[{\"Config\":".to_vec())]),
    )
    .expect("write");
    let error = read_image(&corrupt, &ImageLimits::default(), &mut NoVisitor).expect_err("refused");
    assert!(error.to_string().starts_with("manifest.json:"), "{error}");
}
