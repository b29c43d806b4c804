//! Stored attachments (issue 19 item 4): files kept by the system for an object (an exit list's
//! sign-in sheets and photos of posted notices, the evidence of a property-check hit), each
//! scoped and authorized like its object.
//!
//! The bytes live in a [`crate::files::Store`]; the row here says what was checked on upload
//! (type by content, size, SHA-256, a plain file name). The upload is two steps around the
//! body: [`target`] authorizes and gives the size limit before a byte is read; [`record`] writes
//! the row and its audit entry once the file is stored. Reads of a property hit's attachments
//! need `property:read` and are audited, the metadata as well as the content.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::authz::perm;
use domain::{DomainError, FieldError, Level};
use serde_json::json;
use uuid::Uuid;

use super::{Ctx, exit, property, stored_code};
use crate::db::DbResultExt as _;
use crate::schema::attachments;

/// What an attachment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectType {
    /// An exit list (its steps' evidence).
    ExitList,
    /// A property-check hit (confidential: `property:read`, every read audited).
    PropertyHit,
    /// An intake list (its steps' evidence, as an exit list's).
    IntakeList,
}

impl ObjectType {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExitList => "exit_list",
            Self::PropertyHit => "property_hit",
            Self::IntakeList => "intake_list",
        }
    }

    /// Parses a stored or requested code.
    ///
    /// # Errors
    /// An unknown code, naming `field`.
    pub fn parse(s: &str, field: &str) -> Result<Self, DomainError> {
        match s {
            "exit_list" => Ok(Self::ExitList),
            "property_hit" => Ok(Self::PropertyHit),
            "intake_list" => Ok(Self::IntakeList),
            _ => Err(DomainError::field(
                field,
                domain::Rule::one_of(["exit_list", "intake_list", "property_hit"]),
            )),
        }
    }

    fn confidential(self) -> bool {
        self == Self::PropertyHit
    }
}

/// A stored attachment's row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// The object's node.
    pub region_code: i64,
    /// `exit_list` or `property_hit`.
    pub object_type: String,
    /// The object.
    pub object_id: Uuid,
    /// The name it was uploaded with (plain text).
    pub file_name: String,
    /// The media type found from its content.
    pub content_type: String,
    /// Bytes.
    pub size_bytes: i64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// Where the store keeps it.
    pub storage_key: String,
    /// Who uploaded it.
    pub uploaded_by: Uuid,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Where an upload goes, found and authorized before its body is read.
#[derive(Debug, Clone)]
pub struct Target {
    /// The object.
    pub object: ObjectType,
    /// Its id.
    pub object_id: Uuid,
    /// Its tenant.
    pub county_code: i32,
    /// Its node.
    pub region_code: i64,
    /// The largest file the county accepts (`attachments.max_bytes`).
    pub max_bytes: u64,
}

/// Whether the caller may read attachments at `region` with `permission`: an object they may
/// not read answers as an unknown one (no message naming where it is).
fn read_at(ctx: &Ctx, permission: &str, region: i64) -> Result<(), DomainError> {
    if ctx.caller.can_at(permission, stored_code(region)?) {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// The object's tenant and node, if the caller sees it and may read its attachments.
fn readable(
    conn: &mut PgConnection,
    ctx: &Ctx,
    object: ObjectType,
    id: Uuid,
) -> Result<(i32, i64), DomainError> {
    match object {
        ObjectType::ExitList => {
            let list = exit::visible(conn, ctx, id)?;
            read_at(ctx, perm::WORKFLOW_READ, list.region_code)?;
            Ok((list.county_code, list.region_code))
        }
        ObjectType::PropertyHit => {
            let hit = property::visible(conn, ctx, id)?;
            read_at(ctx, perm::PROPERTY_READ, hit.region_code)?;
            Ok((hit.county_code, hit.region_code))
        }
        ObjectType::IntakeList => {
            let list = super::intake::find(conn, ctx, id, false)?;
            read_at(ctx, perm::WORKFLOW_READ, list.region_code)?;
            Ok((list.county_code, list.region_code))
        }
    }
}

/// Finds the object an upload is for and checks the caller may attach to it: to an exit list,
/// whoever takes one of its steps (a workflow permission at its level over the village); to a
/// property hit, whoever verifies it (`property:verify` at the village). Returns the county's
/// size limit.
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` without the permission.
pub fn target(
    conn: &mut PgConnection,
    ctx: &Ctx,
    object: ObjectType,
    object_id: Uuid,
) -> Result<Target, DomainError> {
    let (county_code, region_code) = readable(conn, ctx, object, object_id)?;
    let node = stored_code(region_code)?;
    match object {
        ObjectType::ExitList | ObjectType::IntakeList => {
            let levels = [Level::Village, Level::Township, Level::County];
            if !levels.iter().any(|l| {
                ctx.caller
                    .require_at_level(perm::workflow_at(*l), *l, node)
                    .is_ok()
            }) {
                return Err(DomainError::Forbidden(format!(
                    "attaching to an {} needs {}, {} or {} at its level over {node}",
                    object.as_str().replace('_', " "),
                    perm::WORKFLOW_VILLAGE,
                    perm::WORKFLOW_TOWNSHIP,
                    perm::WORKFLOW_COUNTY
                )));
            }
        }
        ObjectType::PropertyHit => {
            ctx.caller
                .require_at_level(perm::PROPERTY_VERIFY, Level::Village, node)?;
        }
    }
    let max = super::settings::effective_for(conn, ctx, node)?
        .attachments
        .max_bytes;
    Ok(Target {
        object,
        object_id,
        county_code,
        region_code,
        max_bytes: u64::try_from(max).unwrap_or(0),
    })
}

/// What the upload turned out to be.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The id (also in the storage key).
    pub id: Uuid,
    /// Plain file name.
    pub file_name: String,
    /// Media type by content.
    pub content_type: &'static str,
    /// Bytes.
    pub size_bytes: i64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// Storage key.
    pub storage_key: String,
}

/// Records a stored file for its object, with the audit entry (object checked again: it may
/// have gone while the body was read).
///
/// # Errors
/// As [`target`]; database failures.
pub fn record(
    conn: &mut PgConnection,
    ctx: &Ctx,
    t: &Target,
    s: &Stored,
) -> Result<AttachmentRow, DomainError> {
    let again = target(conn, ctx, t.object, t.object_id)?;
    if again.county_code != t.county_code || again.region_code != t.region_code {
        return Err(DomainError::NotFound);
    }
    let row = diesel::insert_into(attachments::table)
        .values((
            attachments::county_code.eq(t.county_code),
            attachments::id.eq(s.id),
            attachments::region_code.eq(t.region_code),
            attachments::object_type.eq(t.object.as_str()),
            attachments::object_id.eq(t.object_id),
            attachments::file_name.eq(&s.file_name),
            attachments::content_type.eq(s.content_type),
            attachments::size_bytes.eq(s.size_bytes),
            attachments::sha256.eq(&s.sha256),
            attachments::storage_key.eq(&s.storage_key),
            attachments::uploaded_by.eq(ctx.caller.user_id),
            attachments::created_at.eq(ctx.now),
        ))
        .returning(AttachmentRow::as_returning())
        .get_result(conn)
        .db()?;
    ctx.audit(
        conn,
        "attachment.stored",
        t.object.as_str(),
        t.object_id,
        stored_code(t.region_code)?,
        json!({ "attachment": s.id, "content_type": s.content_type,
                "size_bytes": s.size_bytes, "sha256": s.sha256 }),
    )?;
    Ok(row)
}

fn find(conn: &mut PgConnection, id: Uuid) -> Result<AttachmentRow, DomainError> {
    attachments::table
        .filter(attachments::id.eq(id))
        .select(AttachmentRow::as_select())
        .first(conn)
        .db()
}

/// One attachment, if the caller may read its object; `content` says whether the bytes are
/// being read. A property hit's are audited on every read; any attachment's content too.
///
/// # Errors
/// `NotFound` outside scope (the attachment's or its object's); `Forbidden` without the
/// object's read permission.
pub fn get(
    conn: &mut PgConnection,
    ctx: &Ctx,
    id: Uuid,
    content: bool,
) -> Result<AttachmentRow, DomainError> {
    let row = find(conn, id)?;
    let object = ObjectType::parse(&row.object_type, "object_type")
        .map_err(|_| DomainError::Unexpected(anyhow::anyhow!("stored object type")))?;
    readable(conn, ctx, object, row.object_id)?;
    if content || object.confidential() {
        ctx.audit(
            conn,
            if content {
                "attachment.downloaded"
            } else {
                "attachment.read"
            },
            "attachment",
            row.id,
            stored_code(row.region_code)?,
            json!({ "object_type": row.object_type, "object_id": row.object_id,
                    "sha256": row.sha256 }),
        )?;
    }
    Ok(row)
}

/// The attachments of one object, oldest first (audited for a property hit).
///
/// # Errors
/// As [`get`].
pub fn list(
    conn: &mut PgConnection,
    ctx: &Ctx,
    object: ObjectType,
    object_id: Uuid,
) -> Result<Vec<AttachmentRow>, DomainError> {
    let (county, region) = readable(conn, ctx, object, object_id)?;
    let rows = attachments::table
        .filter(attachments::county_code.eq(county))
        .filter(attachments::object_type.eq(object.as_str()))
        .filter(attachments::object_id.eq(object_id))
        .order((attachments::created_at, attachments::id))
        .select(AttachmentRow::as_select())
        .limit(1000)
        .load(conn)
        .db()?;
    if object.confidential() {
        ctx.audit(
            conn,
            "attachment.listed",
            object.as_str(),
            object_id,
            stored_code(region)?,
            json!({ "attachments": rows.iter().map(|r| r.id).collect::<Vec<_>>() }),
        )?;
    }
    Ok(rows)
}

/// Which of `ids` are attachments stored for the `object` `list_id` of `county` (an exit or
/// intake list citing its evidence).
///
/// # Errors
/// Database failures.
pub fn of_object(
    conn: &mut PgConnection,
    county: i32,
    object: ObjectType,
    list_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, DomainError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    attachments::table
        .filter(attachments::county_code.eq(county))
        .filter(attachments::object_type.eq(object.as_str()))
        .filter(attachments::object_id.eq(list_id))
        .filter(attachments::id.eq_any(ids))
        .select(attachments::id)
        .load(conn)
        .db()
}

/// The stored attachments a step of the list `(object, county, id)` cites, each checked to be
/// stored for that list (exit and intake lists).
///
/// # Errors
/// `Validation` naming `attachments[i].uri` for a file stored for anything else.
pub fn cited(
    conn: &mut PgConnection,
    (object, county, id): (ObjectType, i32, Uuid),
    attachments: &[exit::Attachment],
) -> Result<Vec<Uuid>, DomainError> {
    let cited: Vec<(usize, Uuid)> = attachments
        .iter()
        .enumerate()
        .filter_map(|(i, a)| exit::links::stored_attachment(&a.uri).map(|id| (i, id)))
        .collect();
    let ids: Vec<Uuid> = cited.iter().map(|c| c.1).collect();
    let ours = of_object(conn, county, object, id, &ids)?;
    let what = object.as_str().replace('_', " ");
    let errs: Vec<FieldError> = cited
        .iter()
        .filter(|(_, id)| !ours.contains(id))
        .map(|(i, _)| {
            FieldError::new(
                format!("attachments[{i}].uri"),
                domain::Rule::other(
                    format!(
                        "is not an attachment stored for this {what} (POST /api/v1/attachments)"
                    ),
                    format!("不是为该{what}存储的附件(POST /api/v1/attachments)"),
                ),
            )
        })
        .collect();
    if errs.is_empty() {
        Ok(ours)
    } else {
        Err(DomainError::Validation(errs))
    }
}
