//! RPM-based images (Red Hat Enterprise Linux 8+/UBI, Rocky Linux, AlmaLinux, Fedora): the
//! SQLite package database (`/var/lib/rpm/rpmdb.sqlite`, or `/usr/lib/sysimage/rpm/`), whose
//! `Packages` table holds each package's rpm header. A header is read as rpm lays it out
//! (big-endian index count and data length, 16-byte index entries, then the data store) for the
//! name, epoch, version, release and source rpm. The Berkeley DB database of older systems
//! and SUSE's ndb are reported as unreadable, never as "nothing installed".

use super::{FoundPackage, InstalledSoftware, PackageKind};
use crate::image::ImageContents;

const TAG_NAME: i32 = 1000;
const TAG_VERSION: i32 = 1001;
const TAG_RELEASE: i32 = 1002;
const TAG_EPOCH: i32 = 1003;
const TAG_SOURCERPM: i32 = 1044;
const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;

/// Adds the rpm packages of the image.
pub fn read(image: &ImageContents, found: &mut InstalledSoftware) {
    for legacy in ["var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages.db"] {
        if image.file(legacy).is_some() && sqlite_database(image).is_none() {
            found.unreadable.push(format!(
                "/{legacy}: a Berkeley DB or ndb rpm database (RHEL/CentOS 7 and older, SUSE), \
                 which vibeguard does not read: the rpm packages were not checked"
            ));
        }
    }
    let Some((path, layer, bytes)) = sqlite_database(image) else {
        return;
    };
    match packages(bytes) {
        Ok(headers) => found
            .packages
            .extend(headers.into_iter().filter_map(|header| {
                let evr = header.evr()?;
                (header.name != "gpg-pubkey").then(|| FoundPackage {
                    kind: PackageKind::Rpm,
                    name: header.name.clone(),
                    version: evr.clone(),
                    binary: header.name,
                    binary_version: evr,
                    path: path.to_string(),
                    layer,
                })
            })),
        Err(reason) => found
            .unreadable
            .push(format!("/{path}: not a readable rpm database ({reason})")),
    }
}

fn sqlite_database(image: &ImageContents) -> Option<(&str, usize, &[u8])> {
    [
        "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
    ]
    .iter()
    .find_map(|path| image.file(path))
    .map(|(path, file)| (path, file.layer, file.content.as_slice()))
}

/// One package's header fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// NAME.
    pub name: String,
    /// EPOCH, when set.
    pub epoch: Option<u32>,
    /// VERSION.
    pub version: String,
    /// RELEASE.
    pub release: String,
    /// SOURCERPM (`openssl-3.0.7-24.el9.src.rpm`).
    pub source_rpm: Option<String>,
}

impl Header {
    /// `epoch:version-release` as advisories write it (`0:` when no epoch is set).
    pub fn evr(&self) -> Option<String> {
        if self.version.is_empty() {
            return None;
        }
        Some(format!(
            "{}:{}-{}",
            self.epoch.unwrap_or(0),
            self.version,
            self.release
        ))
    }
}

/// The headers of an rpmdb.sqlite file's `Packages` table.
pub fn packages(database: &[u8]) -> Result<Vec<Header>, String> {
    // SQLite opens files: the database goes to a private temporary copy, opened read-only.
    let mut copy = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    std::io::Write::write_all(&mut copy, database).map_err(|e| e.to_string())?;
    let connection = rusqlite::Connection::open_with_flags(
        copy.path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    let mut statement = connection
        .prepare("SELECT blob FROM Packages")
        .map_err(|e| e.to_string())?;
    let blobs = statement
        .query_map([], |row| row.get::<_, Vec<u8>>(0))
        .map_err(|e| e.to_string())?;
    let mut headers = Vec::new();
    for blob in blobs {
        let blob = blob.map_err(|e| e.to_string())?;
        headers.push(parse_header(&blob)?);
    }
    Ok(headers)
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Reads one header blob (as rpmdb stores it: without the 8-byte header magic).
pub fn parse_header(blob: &[u8]) -> Result<Header, String> {
    let count = be_u32(blob, 0).ok_or("a header cut short")? as usize;
    let data_length = be_u32(blob, 4).ok_or("a header cut short")? as usize;
    let data_start = count
        .checked_mul(16)
        .and_then(|n| n.checked_add(8))
        .ok_or("a header index too large")?;
    let data = blob
        .get(data_start..data_start.saturating_add(data_length))
        .ok_or("a header's data lies past its end")?;
    let mut header = Header::default();
    for entry in 0..count {
        let at = 8 + entry * 16;
        let tag = be_u32(blob, at).ok_or("an index entry cut short")? as i32;
        let kind = be_u32(blob, at + 4).ok_or("an index entry cut short")?;
        let offset = be_u32(blob, at + 8).ok_or("an index entry cut short")? as usize;
        let string = || -> Option<String> {
            let tail = data.get(offset..)?;
            let end = tail.iter().position(|b| *b == 0)?;
            Some(String::from_utf8_lossy(&tail[..end]).into_owned())
        };
        match (tag, kind) {
            (TAG_NAME, TYPE_STRING) => header.name = string().unwrap_or_default(),
            (TAG_VERSION, TYPE_STRING) => header.version = string().unwrap_or_default(),
            (TAG_RELEASE, TYPE_STRING) => header.release = string().unwrap_or_default(),
            (TAG_SOURCERPM, TYPE_STRING) => header.source_rpm = string(),
            (TAG_EPOCH, TYPE_INT32) => header.epoch = be_u32(data, offset),
            _ => {}
        }
    }
    if header.name.is_empty() {
        return Err("a header without a package name".into());
    }
    Ok(header)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An rpm header blob with these string tags and an optional epoch, laid out as rpm does.
    pub(crate) fn header_blob(strings: &[(i32, &str)], epoch: Option<u32>) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        let mut count = 0u32;
        if let Some(epoch) = epoch {
            index.extend_from_slice(&TAG_EPOCH.to_be_bytes());
            index.extend_from_slice(&TYPE_INT32.to_be_bytes());
            index.extend_from_slice(&(data.len() as u32).to_be_bytes());
            index.extend_from_slice(&1u32.to_be_bytes());
            data.extend_from_slice(&epoch.to_be_bytes());
            count += 1;
        }
        for (tag, value) in strings {
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&TYPE_STRING.to_be_bytes());
            index.extend_from_slice(&(data.len() as u32).to_be_bytes());
            index.extend_from_slice(&1u32.to_be_bytes());
            data.extend_from_slice(value.as_bytes());
            data.push(0);
            count += 1;
        }
        let mut blob = count.to_be_bytes().to_vec();
        blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
        blob.extend(index);
        blob.extend(data);
        blob
    }

    /// An rpmdb.sqlite database holding these headers.
    pub(crate) fn database(headers: &[Vec<u8>]) -> Vec<u8> {
        let file = tempfile::NamedTempFile::new().expect("test input");
        let connection = rusqlite::Connection::open(file.path()).expect("test input");
        connection
            .execute_batch("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);")
            .expect("test input");
        for header in headers {
            connection
                .execute("INSERT INTO Packages (blob) VALUES (?1)", [header])
                .expect("test input");
        }
        drop(connection);
        std::fs::read(file.path()).expect("test input")
    }

    #[test]
    fn reads_headers_from_an_rpmdb_sqlite_database() {
        let openssl = header_blob(
            &[
                (TAG_NAME, "openssl-libs"),
                (TAG_VERSION, "3.0.7"),
                (TAG_RELEASE, "24.el9"),
                (TAG_SOURCERPM, "openssl-3.0.7-24.el9.src.rpm"),
            ],
            Some(1),
        );
        let bash = header_blob(
            &[
                (TAG_NAME, "bash"),
                (TAG_VERSION, "5.1.8"),
                (TAG_RELEASE, "6.el9_1"),
            ],
            None,
        );
        let headers = packages(&database(&[openssl, bash])).expect("test input");
        assert_eq!(headers.len(), 2);
        assert_eq!(headers[0].evr().as_deref(), Some("1:3.0.7-24.el9"));
        assert_eq!(
            headers[0].source_rpm.as_deref(),
            Some("openssl-3.0.7-24.el9.src.rpm")
        );
        assert_eq!(headers[1].evr().as_deref(), Some("0:5.1.8-6.el9_1"));
    }

    #[test]
    fn damaged_headers_and_databases_are_errors() {
        assert!(parse_header(&[0, 0, 0, 9]).is_err());
        assert!(parse_header(&[0, 0, 0, 200, 0, 0, 0, 0]).is_err());
        assert!(packages(b"not a database").is_err());
    }
}
