//! Attachments in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, moto…), through the
//! `object_store` crate.
//!
//! [`Store`] is synchronous and called from blocking threads; `object_store` is async. The store
//! keeps a small runtime of its own (one worker) and every call is spawned onto it and waited
//! for on a plain channel, so a call never starts a runtime inside another's async context
//! (which would panic) and the caller's executor never has to drive S3 futures.
//!
//! Objects are named `<prefix>/<county>/<uuid>` (imports' uploads `<prefix>/<county>/imports/<job
//! id>`, export jobs' files `<prefix>/<county>/exports/<job id>`), the same keys as on disk. An upload is staged
//! in a local file first (`<ZX_ATTACHMENT_DIR>/.staging/`) and sent whole: one `PUT` up to
//! [`PART_BYTES`], a multipart upload above it; either way the object appears only when it is
//! complete. Error messages name the bucket, the operation and the key, never a credential.

use std::fmt;
use std::future::Future;
use std::io::{self, Read as _, Seek as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{
    BackoffConfig, ClientOptions, MultipartUpload, ObjectStore as _, ObjectStoreExt as _,
    PutPayload, RetryConfig,
};
use secrecy::{ExposeSecret as _, SecretString};

use super::{LocalStore, Opened, Store, checked};

/// Uploads larger than this go up as a multipart upload in parts of this size (S3 wants at
/// least 5 MiB for every part but the last).
pub const PART_BYTES: usize = 8 * 1024 * 1024;

/// Where and how to reach the bucket.
#[derive(Debug, Clone)]
pub struct S3Config {
    /// The bucket (it must exist).
    pub bucket: String,
    /// An S3-compatible endpoint (`http://127.0.0.1:9000` for a MinIO); `None`: AWS itself.
    pub endpoint: Option<String>,
    /// The region (`us-east-1` for most S3-compatible servers).
    pub region: String,
    /// Access key id and secret; `None`: the machine's own credentials (instance role,
    /// web identity), as the AWS SDKs find them.
    pub credentials: Option<(SecretString, SecretString)>,
    /// A key prefix (`zhenxing/attachments`), without leading or trailing `/`; may be empty.
    pub prefix: String,
    /// Accept a plain `http://` endpoint (a local MinIO or test server only).
    pub allow_http: bool,
}

impl S3Config {
    /// Why this configuration cannot work, if it cannot, naming the variable to fix.
    pub fn problem(&self) -> Option<String> {
        if self.bucket.trim().is_empty() {
            return Some("ZX_S3_BUCKET must name the bucket".into());
        }
        if let Some(e) = &self.endpoint {
            let Ok(url) = url::Url::parse(e) else {
                return Some(
                    "ZX_S3_ENDPOINT is not a URL (e.g. https://minio.example:9000)".into(),
                );
            };
            // Checked first: the messages below show the endpoint.
            if !url.username().is_empty() || url.password().is_some() {
                return Some(
                    "ZX_S3_ENDPOINT must not carry credentials: use ZX_S3_ACCESS_KEY_ID and \
                     ZX_S3_SECRET_ACCESS_KEY"
                        .into(),
                );
            }
            match url.scheme() {
                "https" => {}
                "http" if self.allow_http => {}
                "http" => {
                    return Some(format!(
                        "ZX_S3_ENDPOINT={e:?} is plain http: set ZX_S3_ALLOW_HTTP=true for a \
                         local server, or use https"
                    ));
                }
                s => return Some(format!("ZX_S3_ENDPOINT has scheme {s:?}: use https")),
            }
        }
        if self.prefix.starts_with('/')
            || self.prefix.ends_with('/')
            || ObjectPath::parse(&self.prefix).is_err()
        {
            return Some(format!(
                "ZX_S3_PREFIX={:?} must be segments like zhenxing/attachments (no leading or \
                 trailing /, no empty, . or .. segments)",
                self.prefix
            ));
        }
        None
    }
}

/// A runtime that is shut down without waiting, so dropping the store is safe anywhere (a
/// plain runtime panics when dropped inside another's async context).
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// Attachments in a bucket of an S3-compatible object store.
pub struct S3Store {
    store: Arc<AmazonS3>,
    bucket: String,
    prefix: String,
    /// Strings never to appear in an error message.
    secrets: Vec<SecretString>,
    staging: LocalStore,
    runtime: Runtime,
}

impl fmt::Debug for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Store")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("staging", &self.staging)
            .finish_non_exhaustive()
    }
}

impl S3Store {
    /// A store on the bucket of `config`, staging uploads under `staging_dir/.staging`. Checks
    /// that the bucket answers (one listing of at most one page) before it returns.
    ///
    /// # Errors
    /// A bad configuration, a bucket that cannot be listed with these credentials, or a
    /// staging directory that cannot be made.
    pub fn open(config: &S3Config, staging_dir: impl Into<PathBuf>) -> io::Result<Self> {
        if let Some(p) = config.problem() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, p));
        }
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_allow_http(config.allow_http)
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(config.allow_http)
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_secs(120)),
            )
            // A few quick retries: an unreachable store fails in seconds, not minutes.
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 3,
                retry_timeout: Duration::from_secs(20),
            });
        if let Some(e) = &config.endpoint {
            // Path-style requests (`<endpoint>/<bucket>/<key>`), as MinIO and moto expect.
            b = b.with_endpoint(e).with_virtual_hosted_style_request(false);
        }
        let mut secrets = Vec::new();
        if let Some((id, secret)) = &config.credentials {
            b = b
                .with_access_key_id(id.expose_secret())
                .with_secret_access_key(secret.expose_secret());
            secrets.extend([id.clone(), secret.clone()]);
        }
        let this = Self {
            store: Arc::new(b.build().map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    redact(&secrets, &format!("S3 configuration: {e}")),
                )
            })?),
            bucket: config.bucket.clone(),
            prefix: config.prefix.clone(),
            staging: LocalStore::open(staging_dir)?,
            runtime: Runtime(Some(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .thread_name("zx-s3")
                    .enable_all()
                    .build()?,
            )),
            secrets,
        };
        this.check()?;
        Ok(this)
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Lists at most one page under the prefix: the bucket exists and these credentials may
    /// read it.
    ///
    /// # Errors
    /// The bucket cannot be listed.
    pub fn check(&self) -> io::Result<()> {
        let store = self.store.clone();
        let prefix = self.root();
        self.run("list", &self.prefix, async move {
            store.list(prefix.as_ref()).next().await.transpose()
        })
        .map(drop)
    }

    fn root(&self) -> Option<ObjectPath> {
        (!self.prefix.is_empty()).then(|| ObjectPath::from(self.prefix.as_str()))
    }

    fn object(&self, key: &str) -> io::Result<ObjectPath> {
        checked(key)?;
        Ok(if self.prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{}/{key}", self.prefix))
        })
    }

    /// Runs `fut` on the store's runtime and waits for it on this thread.
    fn run<T: Send + 'static>(
        &self,
        op: &str,
        key: &str,
        fut: impl Future<Output = object_store::Result<T>> + Send + 'static,
    ) -> io::Result<T> {
        let handle = match &self.runtime.0 {
            Some(rt) => rt.handle().clone(),
            None => return Err(io::Error::other("the S3 store is shut down")),
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        handle.spawn(async move {
            let _ = tx.send(fut.await);
        });
        match rx.recv() {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.error(op, key, &e)),
            Err(_) => Err(io::Error::other(format!(
                "S3 bucket {}: {op} {key}: the store's runtime stopped",
                self.bucket
            ))),
        }
    }

    fn error(&self, op: &str, key: &str, e: &object_store::Error) -> io::Error {
        let kind = match e {
            object_store::Error::NotFound { .. } => io::ErrorKind::NotFound,
            object_store::Error::AlreadyExists { .. } => io::ErrorKind::AlreadyExists,
            object_store::Error::InvalidPath { .. } => io::ErrorKind::InvalidInput,
            _ => io::ErrorKind::Other,
        };
        let message = if kind == io::ErrorKind::NotFound {
            // The server's text adds nothing but its request id.
            "not found".to_string()
        } else {
            e.to_string()
        };
        io::Error::new(
            kind,
            redact(
                &self.secrets,
                &format!("S3 bucket {}: {op} {key:?}: {message}", self.bucket),
            ),
        )
    }

    fn put_whole(&self, staged: &Path, key: &str, object: ObjectPath) -> io::Result<()> {
        let bytes = std::fs::read(staged)?;
        let store = self.store.clone();
        self.run("put", key, async move {
            store.put(&object, PutPayload::from(bytes)).await
        })
        .map(drop)
    }

    fn put_parts(&self, staged: &Path, key: &str, object: ObjectPath) -> io::Result<()> {
        let mut file = std::fs::File::open(staged)?;
        let store = self.store.clone();
        let mut upload: Box<dyn MultipartUpload> =
            self.run("start multipart upload", key, async move {
                store.put_multipart(&object).await
            })?;
        match self.send_parts(&mut file, key, upload.as_mut()) {
            // `complete` and `abort` borrow the upload: it moves into the task.
            Ok(()) => self.run("complete multipart upload", key, async move {
                match upload.complete().await {
                    Ok(_) => Ok(()),
                    Err(e) => {
                        let _ = upload.abort().await;
                        Err(e)
                    }
                }
            }),
            Err(e) => {
                let _ = self.run("abort multipart upload", key, async move {
                    upload.abort().await
                });
                Err(e)
            }
        }
    }

    fn send_parts(
        &self,
        file: &mut std::fs::File,
        key: &str,
        upload: &mut dyn MultipartUpload,
    ) -> io::Result<()> {
        loop {
            let mut part = Vec::with_capacity(PART_BYTES);
            file.by_ref()
                .take(PART_BYTES as u64)
                .read_to_end(&mut part)?;
            if part.is_empty() {
                return Ok(());
            }
            self.run("put part", key, upload.put_part(PutPayload::from(part)))?;
        }
    }
}

fn redact(secrets: &[SecretString], message: &str) -> String {
    let mut out = message.to_string();
    for s in secrets {
        let s = s.expose_secret();
        if !s.is_empty() {
            out = out.replace(s, "[redacted]");
        }
    }
    out
}

impl Store for S3Store {
    fn stage(&self) -> io::Result<(std::fs::File, PathBuf)> {
        self.staging.stage()
    }

    fn put(&self, staged: &Path, key: &str) -> io::Result<()> {
        let object = self.object(key)?;
        let size = std::fs::metadata(staged)?.len();
        if size <= PART_BYTES as u64 {
            self.put_whole(staged, key, object)?;
        } else {
            self.put_parts(staged, key, object)?;
        }
        // Stored: the staged copy is no longer needed (as after the local store's rename).
        match std::fs::remove_file(staged) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                tracing::warn!(error = %e, "could not remove a staged upload");
            }
            _ => {}
        }
        Ok(())
    }

    fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        let object = self.object(key)?;
        let store = self.store.clone();
        self.run("get", key, async move {
            let got = store.get(&object).await?;
            got.bytes().await.map(|b| b.to_vec())
        })
    }

    fn open_file(&self, key: &str) -> io::Result<Opened> {
        let object = self.object(key)?;
        let (file, path) = self.staging.stage()?;
        // Removed when dropped: on an error below too.
        let mut opened = Opened {
            file,
            temp: Some(path),
        };
        let mut out = std::io::BufWriter::new(opened.file.try_clone()?);
        let store = self.store.clone();
        self.run("get", key, async move {
            use std::io::Write as _;
            let mut chunks = store.get(&object).await?.into_stream();
            while let Some(chunk) = chunks.next().await {
                out.write_all(&chunk?)
                    .map_err(|e| object_store::Error::Generic {
                        store: "S3",
                        source: Box::new(e),
                    })?;
            }
            out.flush().map_err(|e| object_store::Error::Generic {
                store: "S3",
                source: Box::new(e),
            })
        })?;
        opened.file.seek(io::SeekFrom::Start(0))?;
        Ok(opened)
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        let object = self.object(key)?;
        let store = self.store.clone();
        match self.run("delete", key, async move { store.delete(&object).await }) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            r => r,
        }
    }

    fn keys(&self, county: i32) -> io::Result<Vec<String>> {
        Ok(self
            .listed(&format!("{county:06}/"))?
            .into_iter()
            .map(|(k, _)| k)
            .collect())
    }

    fn import_uploads(&self, county: i32) -> io::Result<Vec<(String, std::time::SystemTime)>> {
        self.listed(&format!("{county:06}/imports/"))
    }

    fn exported(&self, county: i32) -> io::Result<Vec<(String, std::time::SystemTime)>> {
        self.listed(&format!("{county:06}/exports/"))
    }
}

impl S3Store {
    /// The keys under `under` (`<county>/`, `<county>/imports/` or `<county>/exports/`, inside the configured
    /// prefix) with when each object was stored, sorted; anything that is not one of ours left
    /// out.
    fn listed(&self, under: &str) -> io::Result<Vec<(String, std::time::SystemTime)>> {
        let dir = under.trim_end_matches('/');
        let path = if self.prefix.is_empty() {
            ObjectPath::from(dir)
        } else {
            ObjectPath::from(format!("{}/{dir}", self.prefix))
        };
        let store = self.store.clone();
        let found = self.run("list", dir, async move {
            let mut out = Vec::new();
            let mut list = store.list(Some(&path));
            while let Some(meta) = list.next().await {
                let meta = meta?;
                out.push((meta.location.to_string(), meta.last_modified));
            }
            Ok(out)
        })?;
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let mut keys: Vec<(String, std::time::SystemTime)> = found
            .into_iter()
            .filter_map(|(l, at)| l.strip_prefix(&strip).map(|k| (k.to_string(), at.into())))
            .filter(|(k, _)| k.starts_with(under) && checked(k).is_ok())
            .collect();
        keys.sort();
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_carry_the_credentials() {
        let secrets = [
            SecretString::from("AKIDEXAMPLE"),
            SecretString::from("wJalrXUtnFEMI/K7MDENG"),
            SecretString::from(""),
        ];
        let m = redact(
            &secrets,
            "<Error><AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId><X>wJalrXUtnFEMI/K7MDENG</X></Error>",
        );
        assert!(
            !m.contains("AKIDEXAMPLE") && !m.contains("wJalrXUtnFEMI"),
            "{m}"
        );
        assert_eq!(m.matches("[redacted]").count(), 2, "{m}");
    }
}
