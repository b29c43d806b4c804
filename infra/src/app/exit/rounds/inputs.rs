//! What a round decision hands each of its lists: its share of the removals and the files
//! stored for it.

use std::collections::BTreeMap;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::{DomainError, FieldError};
use uuid::Uuid;

use super::super::{Attachment, ListRow, StepInput, listed_ids};
use crate::db::DbResultExt as _;

/// Splits a review's removals over the ready lists; a household on none of them (on a list held
/// back, or on no list of the round) is a field error.
pub(super) fn split_removals(
    conn: &mut PgConnection,
    input: &StepInput,
    ready: &[ListRow],
) -> Result<BTreeMap<Uuid, StepInput>, DomainError> {
    let mut out = BTreeMap::new();
    let StepInput::Review {
        opinion,
        decision_no,
        removals,
        decided_on,
    } = input
    else {
        return Ok(out);
    };
    let mut on_list: BTreeMap<Uuid, Uuid> = BTreeMap::new();
    for l in ready {
        for h in listed_ids(conn, l)? {
            on_list.insert(h, l.id);
        }
    }
    let mut errs = Vec::new();
    let mut per: BTreeMap<Uuid, Vec<crate::app::exit::Removal>> = BTreeMap::new();
    for (i, r) in removals.iter().enumerate() {
        match on_list.get(&r.household_id) {
            Some(list) => per.entry(*list).or_default().push(r.clone()),
            None => errs.push(FieldError::new(
                format!("removals[{i}].household_id"),
                domain::Rule::other(
                    "is not on a list of this round ready for the step",
                    "不在本轮中可进行此步骤的名单上",
                ),
            )),
        }
    }
    if !errs.is_empty() {
        return Err(DomainError::Validation(errs));
    }
    for l in ready {
        out.insert(
            l.id,
            StepInput::Review {
                opinion: opinion.clone(),
                decision_no: decision_no.clone(),
                removals: per.remove(&l.id).unwrap_or_default(),
                decided_on: *decided_on,
            },
        );
    }
    Ok(out)
}

/// Hands each list of a decision the attachments that are its own: a file stored for one of
/// `lists` goes to that list only (each list's step checks its evidence against the files
/// stored for it, so one set for all failed as soon as a round held two lists); a link goes to
/// every list. A stored file of none of them is a field error under `field` (`attachments`,
/// `postings[i].attachments`).
pub(super) fn own_attachments(
    conn: &mut PgConnection,
    lists: &[&ListRow],
    attachments: &[Attachment],
    field: &str,
) -> Result<BTreeMap<Uuid, Vec<Attachment>>, DomainError> {
    use crate::schema::attachments as a;
    let stored: Vec<(usize, Uuid)> = attachments
        .iter()
        .enumerate()
        .filter_map(|(i, x)| crate::app::exit::links::stored_attachment(&x.uri).map(|id| (i, id)))
        .collect();
    let owners: BTreeMap<Uuid, Uuid> = match lists.first() {
        Some(first) if !stored.is_empty() => a::table
            .filter(a::county_code.eq(first.county_code))
            .filter(a::object_type.eq(crate::app::attachments::ObjectType::ExitList.as_str()))
            .filter(a::object_id.eq_any(lists.iter().map(|l| l.id).collect::<Vec<_>>()))
            .filter(a::id.eq_any(stored.iter().map(|s| s.1).collect::<Vec<_>>()))
            .select((a::id, a::object_id))
            .load::<(Uuid, Uuid)>(conn)
            .db()?
            .into_iter()
            .collect(),
        _ => BTreeMap::new(),
    };
    let errs: Vec<FieldError> = stored
        .iter()
        .filter(|(_, id)| !owners.contains_key(id))
        .map(|(i, _)| {
            FieldError::new(
                format!("{field}[{i}].uri"),
                domain::Rule::other(
                    "is not an attachment stored for a list this decision moves \
                     (POST /api/v1/attachments?object_type=exit_list&object_id=…)",
                    "不是为本次决定所涉名单存储的附件(POST /api/v1/attachments?object_type=exit_list&object_id=…)",
                ),
            )
        })
        .collect();
    if !errs.is_empty() {
        return Err(DomainError::Validation(errs));
    }
    Ok(lists
        .iter()
        .map(|l| {
            let own = attachments
                .iter()
                .filter(|x| {
                    crate::app::exit::links::stored_attachment(&x.uri)
                        .is_none_or(|id| owners.get(&id) == Some(&l.id))
                })
                .cloned()
                .collect();
            (l.id, own)
        })
        .collect())
}
