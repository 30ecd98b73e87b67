//! What compiled programs in an image say about the packages built into them, read from the
//! bytes of the executable without running it:
//!
//! - **Go** (1.18 and later) embeds its build information (`runtime/debug.BuildInfo`): the
//!   `\xff Go buildinf:` header followed, inline, by the Go version and the module list
//!   (`path`, `mod`, `dep`, `=>` replacements) between two 16-byte sentinels. Binaries of
//!   older Go keep it behind pointers; they are named, not read.
//! - **Rust** programs built with `cargo auditable` carry a `.dep-v0` ELF section: the
//!   dependency tree as zlib-compressed JSON.
//!
//! What is found is kept as a small text ([`BinaryInfo::to_text`]) that `packages::binaries`
//! reads back, so an executable costs the walk its findings, never its size in memory.

use std::io::Read;

const GO_MAGIC: &[u8] = b"\xff Go buildinf:";
const ELF_MAGIC: &[u8] = b"\x7fELF";
/// Bytes after the Go header read for the version and module list.
const GO_INFO_MAX: usize = 1024 * 1024;
/// Largest decompressed cargo-auditable document.
const AUDITABLE_MAX: u64 = 8 * 1024 * 1024;

/// The packages a program was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BinaryInfo {
    /// A Go program: its toolchain version (`go1.22.1`) and module list text.
    Go {
        /// `go1.22.1`.
        version: String,
        /// The module lines (`mod\t…`, `dep\t…`, `=>\t…`).
        modules: String,
    },
    /// A Go program built before Go 1.18, whose build information is not read.
    OldGo,
    /// A Rust program built with `cargo auditable`: (name, version, source) of each crate.
    Rust(Vec<(String, String, String)>),
}

impl BinaryInfo {
    /// The text kept for `packages::binaries`.
    pub fn to_text(&self) -> String {
        match self {
            BinaryInfo::Go { version, modules } => format!("go\t{version}\n{modules}"),
            BinaryInfo::OldGo => "go-old\n".to_string(),
            BinaryInfo::Rust(crates) => {
                let mut text = String::from("rust\n");
                for (name, version, source) in crates {
                    text.push_str(&format!("crate\t{name}\t{version}\t{source}\n"));
                }
                text
            }
        }
    }
}

/// Whether `head` starts an ELF executable or library.
pub fn is_elf(head: &[u8]) -> bool {
    head.starts_with(ELF_MAGIC)
}

/// The build information of a whole executable in memory.
pub fn inspect(bytes: &[u8]) -> Option<BinaryInfo> {
    if !is_elf(bytes) {
        return None;
    }
    if let Some(at) = memchr::memmem::find(bytes, GO_MAGIC) {
        return Some(parse_go(&bytes[at..]));
    }
    rust_auditable(bytes).map(BinaryInfo::Rust)
}

/// The Go build information of an executable too large to hold, read as a stream.
pub fn scan_go_stream(reader: &mut dyn Read) -> std::io::Result<Option<BinaryInfo>> {
    let mut chunk = vec![0u8; 256 * 1024];
    let mut carry: Vec<u8> = Vec::new();
    let mut first = true;
    loop {
        let read = reader.read(&mut chunk)?;
        if read == 0 {
            return Ok(None);
        }
        if first {
            first = false;
            if !is_elf(&chunk[..read]) {
                return Ok(None);
            }
        }
        carry.extend_from_slice(&chunk[..read]);
        if let Some(at) = memchr::memmem::find(&carry, GO_MAGIC) {
            let mut info = carry.split_off(at);
            let mut rest = reader.take((GO_INFO_MAX.saturating_sub(info.len())) as u64);
            rest.read_to_end(&mut info)?;
            return Ok(Some(parse_go(&info)));
        }
        // Keep the last bytes: the header may straddle two chunks.
        let keep = GO_MAGIC.len() - 1;
        if carry.len() > keep {
            carry.drain(..carry.len() - keep);
        }
    }
}

fn uvarint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (index, byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Some((value, index + 1));
        }
    }
    None
}

/// `data` starts at the Go header.
fn parse_go(data: &[u8]) -> BinaryInfo {
    let flags = data.get(15).copied().unwrap_or(0);
    if flags & 0x2 == 0 {
        return BinaryInfo::OldGo;
    }
    let mut at = 32;
    let mut strings: Vec<&[u8]> = Vec::new();
    for _ in 0..2 {
        let Some((length, used)) = data.get(at..).and_then(uvarint) else {
            return BinaryInfo::OldGo;
        };
        at += used;
        let end = at.saturating_add(length as usize);
        let Some(bytes) = data.get(at..end) else {
            return BinaryInfo::OldGo;
        };
        strings.push(bytes);
        at = end;
    }
    let (version, mut modules) = (strings[0], strings[1]);
    // The module list sits between two 16-byte sentinels (binary, so cut before decoding).
    if modules.len() >= 33 && modules[modules.len() - 17] == b'\n' {
        modules = &modules[16..modules.len() - 16];
    }
    BinaryInfo::Go {
        version: String::from_utf8_lossy(version).into_owned(),
        modules: String::from_utf8_lossy(modules).into_owned(),
    }
}

/// The crates of a `cargo auditable` executable (64- or 32-bit little-endian ELF).
fn rust_auditable(bytes: &[u8]) -> Option<Vec<(String, String, String)>> {
    let wide = *bytes.get(4)? == 2;
    if *bytes.get(5)? != 1 {
        return None;
    }
    let u16_at = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let u64_at = |at: usize| Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?));
    let word = |at: usize| {
        if wide {
            u64_at(at)
        } else {
            u32_at(at).map(u64::from)
        }
    };
    let (shoff, shentsize, shnum, shstrndx) = if wide {
        (u64_at(0x28)?, u16_at(0x3a)?, u16_at(0x3c)?, u16_at(0x3e)?)
    } else {
        (
            u64::from(u32_at(0x20)?),
            u16_at(0x2e)?,
            u16_at(0x30)?,
            u16_at(0x32)?,
        )
    };
    let header = |index: u16| -> Option<(u32, u64, u64)> {
        let at = usize::try_from(shoff).ok()? + usize::from(index) * usize::from(shentsize);
        let (offset, size) = if wide {
            (word(at + 0x18)?, word(at + 0x20)?)
        } else {
            (word(at + 0x10)?, word(at + 0x14)?)
        };
        Some((u32_at(at)?, offset, size))
    };
    let (_, names_offset, names_size) = header(shstrndx)?;
    let names = bytes.get(
        usize::try_from(names_offset).ok()?..usize::try_from(names_offset + names_size).ok()?,
    )?;
    for index in 0..shnum.min(4096) {
        let (name, offset, size) = header(index)?;
        let name = names.get(name as usize..)?;
        let end = name.iter().position(|b| *b == 0)?;
        if &name[..end] != b".dep-v0" {
            continue;
        }
        let data =
            bytes.get(usize::try_from(offset).ok()?..usize::try_from(offset + size).ok()?)?;
        let mut json = Vec::new();
        flate2::read::ZlibDecoder::new(data)
            .take(AUDITABLE_MAX)
            .read_to_end(&mut json)
            .ok()?;
        let value: serde_json::Value = serde_json::from_slice(&json).ok()?;
        let crates = value
            .get("packages")?
            .as_array()?
            .iter()
            .filter_map(|package| {
                Some((
                    package.get("name")?.as_str()?.to_string(),
                    package.get("version")?.as_str()?.to_string(),
                    package
                        .get("source")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                ))
            })
            .collect();
        return Some(crates);
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn uvarint_bytes(mut value: usize) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return out;
            }
            out.push(byte | 0x80);
        }
    }

    /// An ELF-looking executable holding Go 1.18+ build information, at `padding` bytes in.
    pub(crate) fn go_binary(version: &str, modules: &str, padding: usize) -> Vec<u8> {
        let mut bytes = ELF_MAGIC.to_vec();
        bytes.extend(std::iter::repeat_n(0x90u8, padding));
        bytes.extend_from_slice(GO_MAGIC);
        bytes.push(8);
        bytes.push(0x2);
        bytes.extend(std::iter::repeat_n(0u8, 16));
        let sentinel_start = b"0\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
        let sentinel_end = b"\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";
        let mut info = sentinel_start.to_vec();
        info.extend_from_slice(modules.as_bytes());
        info.extend_from_slice(sentinel_end);
        bytes.extend(uvarint_bytes(version.len()));
        bytes.extend_from_slice(version.as_bytes());
        bytes.extend(uvarint_bytes(info.len()));
        bytes.extend(info);
        bytes.extend(std::iter::repeat_n(0u8, 64));
        bytes
    }

    const MODULES: &str = "path\texample.com/api\nmod\texample.com/api\t(devel)\t\ndep\tgithub.com/gin-gonic/gin\tv1.9.0\th1:abc=\ndep\tgolang.org/x/net\tv0.7.0\th1:def=\n=>\tgolang.org/x/net\tv0.17.0\th1:ghi=\nbuild\t-compiler=gc\n";

    #[test]
    fn reads_go_build_information_in_memory_and_streamed() {
        let binary = go_binary("go1.20.1", MODULES, 5000);
        let expected = BinaryInfo::Go {
            version: "go1.20.1".into(),
            modules: MODULES.into(),
        };
        assert_eq!(inspect(&binary), Some(expected.clone()));
        // Streamed in chunks, the header straddling a chunk boundary somewhere.
        let big = go_binary("go1.20.1", MODULES, 256 * 1024 - 7);
        let mut reader: &[u8] = &big;
        assert_eq!(scan_go_stream(&mut reader).expect("read"), Some(expected));
        let mut not_elf: &[u8] = b"#!/bin/sh\necho hi\n";
        assert_eq!(scan_go_stream(&mut not_elf).expect("read"), None);
        assert_eq!(inspect(b"\x7fELF plain C program"), None);
    }

    #[test]
    fn old_and_damaged_go_headers_are_named_not_read() {
        let mut old = ELF_MAGIC.to_vec();
        old.extend_from_slice(GO_MAGIC);
        old.extend_from_slice(&[8, 0]);
        old.extend(std::iter::repeat_n(0u8, 40));
        assert_eq!(inspect(&old), Some(BinaryInfo::OldGo));
        let mut cut = go_binary("go1.21.0", MODULES, 10);
        cut.truncate(60);
        assert_eq!(inspect(&cut), Some(BinaryInfo::OldGo));
    }
}

#[cfg(test)]
mod auditable_tests {
    use std::io::Write;

    use super::*;

    /// A minimal 64-bit little-endian ELF file with a `.dep-v0` section holding `json`.
    fn auditable_binary(json: &str) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(json.as_bytes()).expect("zlib");
        let dep = encoder.finish().expect("zlib");
        let names = b"\0.shstrtab\0.dep-v0\0".to_vec();
        let names_offset = 64u64;
        let dep_offset = names_offset + names.len() as u64;
        let shoff = dep_offset + dep.len() as u64;
        let mut bytes = vec![0u8; 64];
        bytes[..4].copy_from_slice(ELF_MAGIC);
        bytes[4] = 2;
        bytes[5] = 1;
        bytes[0x28..0x30].copy_from_slice(&shoff.to_le_bytes());
        bytes[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
        bytes[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        bytes[0x3e..0x40].copy_from_slice(&1u16.to_le_bytes());
        bytes.extend_from_slice(&names);
        bytes.extend_from_slice(&dep);
        for (name, offset, size) in [
            (0u32, 0u64, 0u64),
            (1, names_offset, names.len() as u64),
            (11, dep_offset, dep.len() as u64),
        ] {
            let mut header = vec![0u8; 64];
            header[..4].copy_from_slice(&name.to_le_bytes());
            header[0x18..0x20].copy_from_slice(&offset.to_le_bytes());
            header[0x20..0x28].copy_from_slice(&size.to_le_bytes());
            bytes.extend(header);
        }
        bytes
    }

    #[test]
    fn reads_the_crates_of_a_cargo_auditable_binary() {
        let binary = auditable_binary(
            r#"{"packages":[{"name":"app","version":"0.1.0","source":"local","kind":"runtime","root":true},{"name":"hyper","version":"0.14.10","source":"crates.io","kind":"runtime"}]}"#,
        );
        assert_eq!(
            inspect(&binary),
            Some(BinaryInfo::Rust(vec![
                ("app".into(), "0.1.0".into(), "local".into()),
                ("hyper".into(), "0.14.10".into(), "crates.io".into()),
            ]))
        );
        // Section headers pointing past the end: nothing, no panic.
        let mut broken = binary.clone();
        broken.truncate(binary.len() - 40);
        assert_eq!(inspect(&broken), None);
    }
}
