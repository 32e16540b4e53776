//! 通报有关单位: bulletins addressed beyond the police line, to the issuing unit's industry
//! partners — the banks and operators whose liaisons work in its area and the member
//! departments of its joint office (seed 004: "及时将工作中发现的诈骗手法通报有关单位"). Which
//! partners a bulletin reaches is settled when it is issued (in the issuing transaction, see
//! [`resolve`]); each partner's liaison reads only the bulletins addressed to its own bank,
//! operator or department and signs for it once. Signing writes an audit entry in the same
//! transaction.

use crate::audit::{append_on, NewAuditEntry};
use crate::bulletins::{from_row, Bulletin, BulletinFilter, Bulletins, COLUMNS};
use crate::code_enum::code_enum;
use crate::error::{StoreError, StoreResult};
use crate::field::parse_code;
use crate::page::{push_newest_first, Page, PageRequest};
use crate::scope::Scope;
use crate::sql::{col, Sql};

code_enum! {
    /// The kind of industry partner a bulletin may be addressed to.
    PartnerKind {
        /// A bank with a liaison in the issuer's area.
        Bank => "bank", "银行", "Banks";
        /// A network operator with a liaison in the issuer's area.
        Operator => "operator", "通信运营商", "Operators";
        /// A member department of the issuer's joint office (联席办成员单位).
        JointMember => "joint_member", "联席办成员单位", "Joint-office members";
    }
}

/// One partner: the bank code, the operator code, or the joint-office member's id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Partner {
    pub kind: PartnerKind,
    pub code: String,
}

/// A partner addressed and its receipt.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PartnerReceipt {
    pub partner: Partner,
    pub signed_by: Option<String>,
    pub signed_at: Option<i64>,
}

/// The partners of `kind` that `unit_code` (whose subtree is `scope`) may address, in code
/// order: the banks or operators with an active liaison working in the subtree, or the
/// joint office's members that have not left.
fn partners_query(kind: PartnerKind, unit_code: &str, scope: &Scope) -> Sql<'static> {
    let liaisons = |column: &str, role: &str| {
        let mut sql = Sql::new(format!(
            "SELECT DISTINCT u.{column} AS code FROM users u WHERE u.active = 1 \
             AND u.{column} IS NOT NULL AND EXISTS (SELECT 1 FROM user_roles r \
             WHERE r.login = u.login AND r.role = '{role}') AND "
        ));
        scope.push_condition(&mut sql, "u.unit_code");
        sql.push(" ORDER BY code");
        sql
    };
    match kind {
        PartnerKind::Bank => liaisons("bank_code", "bank_liaison"),
        PartnerKind::Operator => liaisons("operator", "operator_liaison"),
        PartnerKind::JointMember => {
            let mut sql = Sql::new(
                "SELECT CAST(m.id AS TEXT) AS code FROM joint_members m WHERE m.left_at IS NULL \
                 AND m.unit_code = ",
            );
            sql.arg(unit_code.to_string()).push(" ORDER BY m.id");
            sql
        }
    }
}

fn codes(rows: &[sqlx::any::AnyRow], kind: PartnerKind) -> Result<Vec<Partner>, sqlx::Error> {
    rows.iter()
        .map(|r| {
            Ok(Partner {
                kind,
                code: col(r, "code")?,
            })
        })
        .collect()
}

/// The partners of `kinds` that the issuer `unit_code` (subtree `scope`) addresses, read inside
/// the issuing transaction. [`StoreError::Invalid`] when a kind asked for has nobody to address.
pub(crate) async fn resolve(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    unit_code: &str,
    scope: &Scope,
    kinds: &[PartnerKind],
) -> StoreResult<Vec<Partner>> {
    let mut kinds = kinds.to_vec();
    kinds.sort();
    kinds.dedup();
    let mut out = Vec::new();
    for kind in kinds {
        let rows = partners_query(kind, unit_code, scope)
            .query()
            .fetch_all(&mut **tx)
            .await
            .map_err(StoreError::query("bulletins.partners"))?;
        let found = codes(&rows, kind).map_err(StoreError::query("bulletins.partners"))?;
        if found.is_empty() {
            return Err(StoreError::invalid(
                "partners",
                format!(
                    "no {} to address from this unit: {}",
                    kind.en().to_lowercase(),
                    match kind {
                        PartnerKind::JointMember => "its joint office has no members",
                        _ => "none has a liaison account in its area",
                    }
                ),
            ));
        }
        out.extend(found);
    }
    Ok(out)
}

impl Bulletins<'_> {
    /// The partners `unit_code` would address, of every kind, in kind and code order (for the
    /// issuing form).
    pub async fn partners_of(&self, unit_code: &str) -> StoreResult<Vec<Partner>> {
        let scope = self.store.units().scope(unit_code).await?;
        let mut out = Vec::new();
        for kind in PartnerKind::ALL {
            let rows = partners_query(*kind, unit_code, &scope)
                .query()
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query("bulletins.partners_of"))?;
            out.extend(codes(&rows, *kind).map_err(StoreError::query("bulletins.partners_of"))?);
        }
        Ok(out)
    }

    /// The partners bulletin `id` (which `reader` may read) was addressed to, with their
    /// receipts, in kind and code order.
    pub async fn partner_receipts(
        &self,
        reader: &crate::BulletinReader,
        id: i64,
    ) -> StoreResult<Vec<PartnerReceipt>> {
        self.get(reader, id).await?;
        let mut sql = Sql::new(
            "SELECT kind, code, signed_by, signed_at FROM bulletin_partners WHERE bulletin_id = ",
        );
        sql.arg(id).push(" ORDER BY kind, code");
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("bulletins.partner_receipts"))?;
        rows.iter()
            .map(|r| {
                Ok(PartnerReceipt {
                    partner: Partner {
                        kind: parse_code(r, "kind", PartnerKind::parse)?,
                        code: col(r, "code")?,
                    },
                    signed_by: col(r, "signed_by")?,
                    signed_at: col(r, "signed_at")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::query("bulletins.partner_receipts"))
    }

    /// The bulletins addressed to `partner` matching `filter` (`unsigned_only`: not yet signed
    /// by it), the newest first, each with `partner`'s receipt; the page key is
    /// `"<issued_at>/<id>"`.
    pub async fn for_partner(
        &self,
        partner: &Partner,
        filter: &BulletinFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<(Bulletin, PartnerReceipt)>> {
        let limit = page.clamped_limit();
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS}, p.signed_by AS partner_signed_by, p.signed_at AS partner_signed_at \
             FROM bulletins b JOIN bulletin_partners p ON p.bulletin_id = b.id WHERE p.kind = "
        ));
        sql.arg(partner.kind.as_str())
            .push(" AND p.code = ")
            .arg(partner.code.clone());
        if filter.unsigned_only {
            sql.push(" AND p.signed_at IS NULL");
        }
        if let Some(k) = filter.kind {
            sql.push(" AND b.kind = ").arg(k.as_str());
        }
        push_newest_first(
            &mut sql,
            page.after.as_deref(),
            "b.issued_at",
            "b.id",
            limit,
        )?;
        let rows = sql
            .query()
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query("bulletins.for_partner"))?;
        let items = rows
            .iter()
            .map(|r| with_receipt(r, partner))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("bulletins.for_partner"))?;
        Ok(Page::from_overfetch(items, limit, |(b, _)| {
            format!("{}/{}", b.issued_at, b.id)
        }))
    }

    /// How many bulletins addressed to `partner` it has not signed.
    pub async fn unsigned_for_partner(&self, partner: &Partner) -> StoreResult<i64> {
        let mut sql = Sql::new(
            "SELECT COUNT(*) AS n FROM bulletin_partners p WHERE p.signed_at IS NULL AND p.kind = ",
        );
        sql.arg(partner.kind.as_str())
            .push(" AND p.code = ")
            .arg(partner.code.as_str());
        let row = sql
            .query()
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("bulletins.unsigned_for_partner"))?;
        col(&row, "n").map_err(StoreError::query("bulletins.unsigned_for_partner"))
    }

    /// Bulletin `id` with `partner`'s receipt, when it was addressed to `partner`;
    /// [`StoreError::NotFound`] otherwise.
    pub async fn get_for_partner(
        &self,
        partner: &Partner,
        id: i64,
    ) -> StoreResult<(Bulletin, PartnerReceipt)> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS}, p.signed_by AS partner_signed_by, p.signed_at AS partner_signed_at \
             FROM bulletins b JOIN bulletin_partners p ON p.bulletin_id = b.id WHERE b.id = "
        ));
        sql.arg(id)
            .push(" AND p.kind = ")
            .arg(partner.kind.as_str())
            .push(" AND p.code = ")
            .arg(partner.code.as_str());
        let row = sql
            .query()
            .fetch_optional(self.store.pool())
            .await
            .map_err(StoreError::query("bulletins.get_for_partner"))?
            .ok_or_else(|| StoreError::NotFound {
                what: "bulletin addressed to your organisation",
                key: id.to_string(),
            })?;
        with_receipt(&row, partner).map_err(StoreError::query("bulletins.get_for_partner"))
    }

    /// Signs bulletin `id` for `partner` by `actor` at `now`, with its audit entry (under the
    /// issuing unit, so the issuer's audit view shows who read it).
    /// [`StoreError::NotFound`] when it was not addressed to `partner`;
    /// [`StoreError::Conflict`] when `partner` signed already.
    pub async fn sign_for_partner(
        &self,
        partner: &Partner,
        id: i64,
        actor: &str,
        now: i64,
    ) -> StoreResult<()> {
        let (bulletin, receipt) = self.get_for_partner(partner, id).await?;
        let signed_already = || StoreError::Conflict {
            what: "bulletin",
            detail: format!("bulletin {id} was signed for your organisation already"),
        };
        if receipt.signed_at.is_some() {
            return Err(signed_already());
        }
        let _writer = self.store.write_guard().await;
        let mut tx = self.store.begin_write("bulletins.begin").await?;
        let mut sql = Sql::new("UPDATE bulletin_partners SET signed_by = ");
        sql.arg(actor)
            .push(", signed_at = ")
            .arg(now)
            .push(" WHERE bulletin_id = ")
            .arg(id)
            .push(" AND kind = ")
            .arg(partner.kind.as_str())
            .push(" AND code = ")
            .arg(partner.code.as_str())
            .push(" AND signed_at IS NULL");
        let done = sql
            .query()
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("bulletins.sign_for_partner"))?;
        if done.rows_affected() != 1 {
            return Err(signed_already());
        }
        append_on(
            &mut tx,
            &NewAuditEntry {
                actor: actor.to_string(),
                action: "bulletin_signed".into(),
                target_type: "bulletin".into(),
                target_id: Some(id.to_string()),
                unit_code: Some(bulletin.unit_code.clone()),
                detail: serde_json::json!({
                    "issuer": bulletin.unit_code,
                    "year": bulletin.year,
                    "number": bulletin.number,
                    "partner_kind": partner.kind.as_str(),
                    "partner": partner.code,
                }),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("bulletins.commit"))?;
        Ok(())
    }
}

/// A bulletin row read with `partner`'s receipt (`partner_signed_by`, `partner_signed_at`).
fn with_receipt(
    row: &sqlx::any::AnyRow,
    partner: &Partner,
) -> Result<(Bulletin, PartnerReceipt), sqlx::Error> {
    Ok((
        from_row(row)?,
        PartnerReceipt {
            partner: partner.clone(),
            signed_by: col(row, "partner_signed_by")?,
            signed_at: col(row, "partner_signed_at")?,
        },
    ))
}
