//! Where stored attachments keep their bytes, and what a file is by its content.
//!
//! [`Store`] is the small seam between the use cases and the storage: the local filesystem
//! ([`LocalStore`], the default) or a bucket of an S3-compatible object store ([`S3Store`],
//! in [`s3`]). An upload is written to a staging file first and moved in under its key
//! only when it is complete and checked, so no reader ever sees half a file; a staged file
//! that is refused, or whose database row does not commit, is removed.
//!
//! Imports' uploads use the same store while their job needs them, under
//! `<county>/imports/<job id>` ([`import_key`]), and are read back as a file ([`Store::open_file`]).
//!
//! [`sniff`] decides the type from the bytes, never from the name: PDF, JPEG, PNG, and the
//! ZIP-based OFD, DOCX and XLSX told apart by their entries.

use std::fmt::Debug;
use std::io::{self, Read as _, Seek};
use std::path::{Path, PathBuf};

use uuid::Uuid;

pub mod s3;
pub use s3::{S3Config, S3Store};

/// The types an attachment may have, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `%PDF-`.
    Pdf,
    /// `FF D8 FF`.
    Jpeg,
    /// `89 50 4E 47 0D 0A 1A 0A`.
    Png,
    /// GB/T 33190 OFD: a ZIP with `OFD.xml` at its root.
    Ofd,
    /// Office Open XML word processing: a ZIP with `[Content_Types].xml` and `word/`.
    Docx,
    /// Office Open XML spreadsheet: a ZIP with `[Content_Types].xml` and `xl/`.
    Xlsx,
}

impl Kind {
    /// The media type stored and served.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Ofd => "application/ofd",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Bytes of the head [`sniff`] needs.
pub const HEAD_BYTES: usize = 8;

/// What the file is, from its first bytes and, for a ZIP, its entries (`file` is read only
/// then). `None`: not a type attachments take.
///
/// # Errors
/// Reading `file`.
pub fn sniff<R: io::Read + Seek>(head: &[u8], file: R) -> io::Result<Option<Kind>> {
    if head.starts_with(b"%PDF-") {
        return Ok(Some(Kind::Pdf));
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Some(Kind::Jpeg));
    }
    if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Ok(Some(Kind::Png));
    }
    if !head.starts_with(b"PK\x03\x04") {
        return Ok(None);
    }
    let Ok(zip) = zip::ZipArchive::new(file) else {
        return Ok(None);
    };
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();
    let has = |n: &str| names.iter().any(|e| e.eq_ignore_ascii_case(n));
    let under = |p: &str| names.iter().any(|e| e.starts_with(p));
    Ok(if has("OFD.xml") {
        Some(Kind::Ofd)
    } else if has("[Content_Types].xml") && under("word/") {
        Some(Kind::Docx)
    } else if has("[Content_Types].xml") && under("xl/") {
        Some(Kind::Xlsx)
    } else {
        None
    })
}

/// Why `name` may not be stored as a file name, if it may not: 1–200 characters of plain text
/// (no markup, control or direction characters: it is shown to every reader and sent back in
/// `Content-Disposition`), no path.
pub fn file_name_problem(name: &str) -> Option<domain::Rule> {
    let n = name.chars().count();
    if n == 0 || n > 200 {
        return Some(domain::Rule::length(1, 200));
    }
    if name.contains(['/', '\\']) || name == "." || name == ".." {
        return Some(domain::Rule::other(
            "must be a file name, not a path",
            "必须是文件名,不能是路径",
        ));
    }
    if name.contains('"') {
        return Some(domain::Rule::other(
            "must not contain quotation marks",
            "不能包含引号",
        ));
    }
    crate::app::exit::links::plain_text_problem(name)
}

/// The storage key of an attachment: its county and id (`370831/<uuid>`).
pub fn key_for(county: i32, id: Uuid) -> String {
    format!("{county:06}/{id}")
}

/// The storage key of an import's upload, kept until its job is over: in its county's area,
/// named by the job (`370831/imports/<job id>`).
pub fn import_key(county: i32, job: Uuid) -> String {
    format!("{county:06}/imports/{job}")
}

/// The storage key of an export job's file, kept a day: in its county's area, named by the
/// job (`370831/exports/<job id>`).
pub fn export_key(county: i32, job: Uuid) -> String {
    format!("{county:06}/exports/{job}")
}

/// A key is `<county>/<uuid>` (an attachment), `<county>/imports/<uuid>` (an import's upload)
/// or `<county>/exports/<uuid>` (an export's file): six digits, then a UUID, so it never leaves
/// its county's area of the store.
fn checked(key: &str) -> io::Result<()> {
    let bad = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("bad storage key {key:?}"),
        )
    };
    let (county, rest) = key.split_once('/').ok_or_else(bad)?;
    if county.len() != 6 || !county.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let id = rest
        .strip_prefix("imports/")
        .or_else(|| rest.strip_prefix("exports/"))
        .unwrap_or(rest);
    // `Uuid::parse_str` takes braced and URN forms too: only the hyphenated one is a key.
    if id.len() != 36 || Uuid::parse_str(id).is_err() {
        return Err(bad());
    }
    Ok(())
}

/// A stored file opened for reading on this machine: the file itself (local store) or a copy
/// downloaded to the staging directory (S3), removed when this is dropped.
#[derive(Debug)]
pub struct Opened {
    /// Positioned at the start.
    pub file: std::fs::File,
    temp: Option<PathBuf>,
}

impl Drop for Opened {
    fn drop(&mut self) {
        if let Some(p) = self.temp.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Where attachments keep their bytes.
pub trait Store: Send + Sync + Debug {
    /// A new, empty staging file for an upload, and its path.
    ///
    /// # Errors
    /// The storage cannot be written.
    fn stage(&self) -> io::Result<(std::fs::File, PathBuf)>;
    /// Moves a complete staged file in under `key`, whole or not at all.
    ///
    /// # Errors
    /// The storage cannot be written (the staged file is left to the caller).
    fn put(&self, staged: &Path, key: &str) -> io::Result<()>;
    /// The bytes stored under `key`.
    ///
    /// # Errors
    /// Missing or unreadable.
    fn get(&self, key: &str) -> io::Result<Vec<u8>>;
    /// What is stored under `key`, as a file to read from its start without holding it in
    /// memory (an S3 object is downloaded to a staged file first, chunk by chunk).
    ///
    /// # Errors
    /// Missing or unreadable.
    fn open_file(&self, key: &str) -> io::Result<Opened>;
    /// Removes what is stored under `key` (nothing there is not an error).
    ///
    /// # Errors
    /// The storage cannot be written.
    fn delete(&self, key: &str) -> io::Result<()>;
    /// Keys stored for `county` (offboarding, checks).
    ///
    /// # Errors
    /// The storage cannot be read.
    fn keys(&self, county: i32) -> io::Result<Vec<String>>;
    /// The imports' uploads stored for `county` (`<county>/imports/<uuid>`), each with when it
    /// was stored (housekeeping removes those no job names).
    ///
    /// # Errors
    /// The storage cannot be read.
    fn import_uploads(&self, county: i32) -> io::Result<Vec<(String, std::time::SystemTime)>>;
    /// The export jobs' files stored for `county` (`<county>/exports/<uuid>`), each with when
    /// it was stored (housekeeping removes those older than a day).
    ///
    /// # Errors
    /// The storage cannot be read.
    fn exported(&self, county: i32) -> io::Result<Vec<(String, std::time::SystemTime)>>;
}

/// Attachments as files in a directory: `<dir>/<county>/<id>`, staged in `<dir>/.staging/`
/// on the same filesystem so the final step is a rename.
#[derive(Debug, Clone)]
pub struct LocalStore {
    dir: PathBuf,
}

impl LocalStore {
    /// A store in `dir`, made if missing. Staged parts older than a day (uploads cut off by a
    /// crash: an upload takes seconds) are removed.
    ///
    /// # Errors
    /// The directory cannot be made.
    pub fn open(dir: impl Into<PathBuf>) -> io::Result<Self> {
        let dir = dir.into();
        let staging = dir.join(".staging");
        std::fs::create_dir_all(&staging)?;
        let day = std::time::Duration::from_secs(24 * 3600);
        for e in std::fs::read_dir(&staging)?.filter_map(Result::ok) {
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > day);
            if stale {
                let _ = std::fs::remove_file(e.path());
            }
        }
        Ok(Self { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> io::Result<PathBuf> {
        checked(key)?;
        Ok(self.dir.join(key))
    }
}

impl Store for LocalStore {
    fn stage(&self) -> io::Result<(std::fs::File, PathBuf)> {
        let path = self
            .dir
            .join(".staging")
            .join(format!("{}.part", Uuid::new_v4()));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(&path)?;
        Ok((file, path))
    }

    fn put(&self, staged: &Path, key: &str) -> io::Result<()> {
        let to = self.path(key)?;
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::File::open(staged)?.sync_all()?;
        std::fs::rename(staged, &to)?;
        if let Some(parent) = to.parent() {
            // The rename itself survives a crash once its directory is synced.
            std::fs::File::open(parent)?.sync_all()?;
        }
        Ok(())
    }

    fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        std::fs::File::open(self.path(key)?)?.read_to_end(&mut out)?;
        Ok(out)
    }

    fn open_file(&self, key: &str) -> io::Result<Opened> {
        Ok(Opened {
            file: std::fs::File::open(self.path(key)?)?,
            temp: None,
        })
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            r => r,
        }
    }

    fn keys(&self, county: i32) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        for under in [
            format!("{county:06}"),
            format!("{county:06}/imports"),
            format!("{county:06}/exports"),
        ] {
            let entries = match std::fs::read_dir(self.dir.join(&under)) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                r => r?,
            };
            for e in entries {
                let name = e?.file_name().to_string_lossy().into_owned();
                let key = format!("{under}/{name}");
                if checked(&key).is_ok() {
                    out.push(key);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    fn import_uploads(&self, county: i32) -> io::Result<Vec<(String, std::time::SystemTime)>> {
        self.stored_under(&format!("{county:06}/imports"))
    }

    fn exported(&self, county: i32) -> io::Result<Vec<(String, std::time::SystemTime)>> {
        self.stored_under(&format!("{county:06}/exports"))
    }
}

impl LocalStore {
    /// The keys in the directory `under` with when each was stored, sorted.
    fn stored_under(&self, under: &str) -> io::Result<Vec<(String, std::time::SystemTime)>> {
        let entries = match std::fs::read_dir(self.dir.join(under)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            r => r?,
        };
        let mut out = Vec::new();
        for e in entries {
            let e = e?;
            let key = format!("{under}/{}", e.file_name().to_string_lossy());
            if checked(&key).is_ok() {
                out.push((key, e.metadata()?.modified()?));
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read as _, Write as _};

    use super::*;

    fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for n in names {
            w.start_file(*n, zip::write::SimpleFileOptions::default())
                .unwrap_or_else(|e| panic!("{e}"));
            w.write_all(b"<x/>").unwrap_or_else(|e| panic!("{e}"));
        }
        w.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
    }

    fn kind(bytes: &[u8]) -> Option<Kind> {
        let head = &bytes[..bytes.len().min(HEAD_BYTES)];
        sniff(head, Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(kind(b"%PDF-1.7\n..."), Some(Kind::Pdf));
        assert_eq!(kind(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(Kind::Jpeg));
        assert_eq!(
            kind(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some(Kind::Png)
        );
        assert_eq!(
            kind(&zip_of(&["[Content_Types].xml", "word/document.xml"])),
            Some(Kind::Docx)
        );
        assert_eq!(
            kind(&zip_of(&["[Content_Types].xml", "xl/workbook.xml"])),
            Some(Kind::Xlsx)
        );
        assert_eq!(
            kind(&zip_of(&["OFD.xml", "Doc_0/Document.xml"])),
            Some(Kind::Ofd)
        );
        // Anything else, whatever it is called.
        assert_eq!(kind(b"\x7fELF\x02\x01\x01\0\0\0\0"), None);
        assert_eq!(kind(b"MZ\x90\0"), None);
        assert_eq!(kind(b"<html><script>"), None);
        assert_eq!(kind(&zip_of(&["payload.exe"])), None);
        assert_eq!(kind(&zip_of(&["word/document.xml"])), None);
        assert_eq!(kind(b"PK\x03\x04 not a zip"), None);
        assert_eq!(kind(b""), None);
    }

    #[test]
    fn file_names_are_plain_names() {
        assert_eq!(file_name_problem("签到表 2016-10.pdf"), None);
        for bad in [
            "",
            "../../etc/passwd",
            "a\\b.pdf",
            "<img src=x>.pdf",
            "invoice\u{202E}fdp.exe",
            "a\"b.pdf",
            "tab\there.pdf",
        ] {
            assert!(file_name_problem(bad).is_some(), "{bad:?}");
        }
        assert!(file_name_problem(&"长".repeat(201)).is_some());
    }

    #[test]
    fn a_file_is_staged_then_moved_in_whole() {
        let dir = std::env::temp_dir().join(format!("zx-files-{}", Uuid::new_v4()));
        let store = LocalStore::open(&dir).unwrap_or_else(|e| panic!("{e}"));
        let (mut f, staged) = store.stage().unwrap_or_else(|e| panic!("{e}"));
        f.write_all(b"%PDF-1.4").unwrap_or_else(|e| panic!("{e}"));
        drop(f);
        let id = Uuid::new_v4();
        let key = key_for(370_831, id);
        assert_eq!(key, format!("370831/{id}"));
        store.put(&staged, &key).unwrap_or_else(|e| panic!("{e}"));
        assert!(!staged.exists());
        assert_eq!(store.get(&key).unwrap_or_default(), b"%PDF-1.4");
        assert_eq!(store.keys(370_831).unwrap_or_default(), vec![key.clone()]);
        store.delete(&key).unwrap_or_else(|e| panic!("{e}"));
        store.delete(&key).unwrap_or_else(|e| panic!("{e}"));
        assert!(store.get(&key).is_err());
        assert!(store.get("../../etc/passwd").is_err());
        // An import's upload: in the county's area, listed with it, read back as a file.
        let (mut f, staged) = store.stage().unwrap_or_else(|e| panic!("{e}"));
        f.write_all(b"a,b\n1,2\n").unwrap_or_else(|e| panic!("{e}"));
        drop(f);
        let upload = import_key(370_831, id);
        assert_eq!(upload, format!("370831/imports/{id}"));
        store
            .put(&staged, &upload)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            store.keys(370_831).unwrap_or_default(),
            vec![upload.clone()]
        );
        let mut text = String::new();
        store
            .open_file(&upload)
            .and_then(|mut o| o.file.read_to_string(&mut text))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text, "a,b\n1,2\n");
        store.delete(&upload).unwrap_or_else(|e| panic!("{e}"));
        assert!(store.open_file(&upload).is_err());
        // An export's file: its own area, listed with when it was stored.
        let export = export_key(370_831, Uuid::nil());
        assert!(checked(&export).is_ok());
        let (mut f, staged) = store.stage().unwrap_or_else(|e| panic!("{e}"));
        f.write_all(b"x").unwrap_or_else(|e| panic!("{e}"));
        drop(f);
        store
            .put(&staged, &export)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            store.keys(370_831).unwrap_or_default(),
            vec![export.clone()]
        );
        let listed = store.exported(370_831).unwrap_or_default();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0, export);
        assert!(store.import_uploads(370_831).unwrap_or_default().is_empty());
        for bad in [
            "370831/imports/../x",
            "370831/outputs/00000000-0000-0000-0000-000000000000",
            "370831/exports/imports/00000000-0000-0000-0000-000000000000",
            "370831/imports/{00000000-0000-0000-0000-000000000000}",
            "37083/imports/00000000-0000-0000-0000-000000000000",
        ] {
            assert!(checked(bad).is_err(), "{bad}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
