//! An export job's run: the households written to a file staged in the file store (never held
//! whole in memory), and that file sent back in chunks when it is downloaded.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;

use actix_web::web::Bytes;
use domain::DomainError;
use futures_util::StreamExt as _;
use infra::app::cases::{export, sheet};
use serde::Deserialize;

use super::{XLSX, export_xlsx};
use crate::routes::households::HouseholdParams;
use crate::state::AppState;

/// An export job's file, staged and ready to be stored under the job's key.
#[derive(Debug)]
pub(crate) struct Exported {
    /// Its content type.
    pub content_type: &'static str,
    /// Its file name.
    pub name: &'static str,
    /// The staged file (the store's `put` moves it in).
    pub staged: PathBuf,
    /// Households written.
    pub rows: usize,
    /// Its size.
    pub bytes: u64,
}

/// Runs an export job's query into a staged file of the file store.
///
/// # Errors
/// A payload that does not parse; database or disk failures (the staged file is removed).
pub(crate) fn run_export_job(
    st: &AppState,
    ctx: &infra::app::Ctx,
    payload: &[u8],
) -> Result<Exported, DomainError> {
    #[derive(Deserialize)]
    struct Payload {
        params: HouseholdParams,
        format: String,
    }
    let p: Payload = serde_json::from_slice(payload)
        .map_err(|e| DomainError::Unexpected(anyhow::anyhow!("export job payload: {e}")))?;
    let filter = p.params.to_filter(ctx.caller.scope())?;
    let io = |e: std::io::Error| DomainError::Unexpected(anyhow::anyhow!("export file: {e}"));
    let (file, staged) = st.attachments.stage().map_err(io)?;
    let written = (|| -> Result<(&'static str, &'static str, usize), DomainError> {
        let mut out = std::io::BufWriter::new(file);
        let (content_type, name, rows) = if p.format == "xlsx" {
            let sink = std::cell::RefCell::new(&mut out);
            // The writer stops at a refused chunk as at a client gone: the disk's error is
            // kept here, so a file cut short is not stored as done.
            let failed = std::cell::RefCell::new(None);
            let rows = export_xlsx(st, ctx, &filter, false, &|b: Vec<u8>| match sink
                .borrow_mut()
                .write_all(&b)
            {
                Ok(()) => true,
                Err(e) => {
                    *failed.borrow_mut() = Some(e);
                    false
                }
            })?;
            if let Some(e) = failed.into_inner() {
                return Err(io(e));
            }
            (XLSX, "households.xlsx", rows)
        } else {
            let rows = std::cell::Cell::new(0_usize);
            // UTF-8 with a byte-order mark, so Excel opens it right.
            out.write_all(&[0xEF, 0xBB, 0xBF]).map_err(io)?;
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(export::header())
                .map_err(|e| DomainError::Unexpected(anyhow::anyhow!("csv: {e}")))?;
            let mut failed = None;
            export::export(
                &st.read_db(ctx.caller.user_id),
                ctx,
                &st.data_keys,
                &filter,
                false,
                |batch| {
                    for r in batch {
                        rows.set(rows.get() + 1);
                        if let Err(e) = w.write_record(r.iter().map(|c| sheet::guard(c))) {
                            failed = Some(e);
                            return false;
                        }
                    }
                    true
                },
            )?;
            if let Some(e) = failed {
                return Err(DomainError::Unexpected(anyhow::anyhow!("csv: {e}")));
            }
            w.flush().map_err(io)?;
            ("text/csv; charset=utf-8", "households.csv", rows.get())
        };
        out.into_inner().map_err(|e| io(e.into_error()))?;
        Ok((content_type, name, rows))
    })();
    match written {
        Ok((content_type, name, rows)) => {
            let bytes = std::fs::metadata(&staged).map_err(io)?.len();
            Ok(Exported {
                content_type,
                name,
                staged,
                rows,
                bytes,
            })
        }
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            Err(e)
        }
    }
}

/// A download's body.
pub(super) type Body = futures_util::stream::BoxStream<'static, Result<Bytes, std::io::Error>>;

/// A body of one piece (a file kept in the job row before files went to the store).
pub(super) fn once(bytes: Vec<u8>) -> Body {
    futures_util::stream::once(async move { Ok(Bytes::from(bytes)) }).boxed()
}

/// A stored file sent in 64 KiB chunks, read on a blocking thread (a downloaded S3 copy is
/// removed when the last chunk is read, or the client goes away).
pub(super) fn chunks(opened: infra::files::Opened) -> Body {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    actix_web::rt::task::spawn_blocking(move || {
        let mut opened = opened;
        let mut buf = vec![0_u8; 64 * 1024];
        loop {
            match opened.file.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    if tx
                        .blocking_send(Ok(Bytes::copy_from_slice(&buf[..n])))
                        .is_err()
                    {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)).boxed()
}
