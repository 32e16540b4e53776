//! 反诈示范点: a title awarded to a unit below the awarding area, once while standing, revoked
//! with why from the version read, kept; scoped and audited.

use crate::fixtures::{audits, with_tree};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;

pub async fn titles_are_awarded_below_the_area_once_and_revoked_with_why(store: &Store) {
    with_tree(store).await;
    let yuyao = store.units().scope("330281").await.unwrap();
    let yangming = store.units().scope("330281001").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let sites = store.model_sites();
    assert!(
        matches!(
            sites.award(&yuyao, "330281", "", "c", T0).await,
            Err(StoreError::NotFound { .. })
        ),
        "not itself"
    );
    assert!(
        matches!(
            sites.award(&yuyao, "330282001", "", "c", T0).await,
            Err(StoreError::NotFound { .. })
        ),
        "not another county's"
    );
    let id = sites
        .award(&yuyao, "330281001001", " 零发案社区 ", "county", T0)
        .await
        .unwrap();
    assert!(matches!(
        sites.award(&yuyao, "330281001001", "", "county", T0).await,
        Err(StoreError::Conflict { .. })
    ));
    let s = sites.get(&yangming, id).await.unwrap();
    assert_eq!((s.note.as_str(), s.standing()), ("零发案社区", true));
    assert!(matches!(
        sites.get(&cixi, id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        sites.revoke(&yuyao, id, " ", 1, "county", T0).await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(
        matches!(
            sites.revoke(&yuyao, id, "发案回升", 2, "county", T0).await,
            Err(StoreError::Conflict { .. })
        ),
        "stale"
    );
    let r = sites
        .revoke(&yuyao, id, "发案回升", 1, "county", T0 + 1)
        .await
        .unwrap();
    assert_eq!(
        (r.standing(), r.revoke_reason.as_str(), r.version),
        (false, "发案回升", 2)
    );
    assert!(matches!(
        sites.revoke(&yuyao, id, "again", 2, "county", T0).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(sites.list(&yuyao, false).await.unwrap().is_empty());
    assert_eq!(sites.list(&yuyao, true).await.unwrap().len(), 1);
    let again = sites
        .award(&yuyao, "330281001001", "", "county", T0 + 2)
        .await
        .unwrap();
    assert_ne!(again, id, "awarded again once revoked");
    assert!(sites.list(&cixi, true).await.unwrap().is_empty());
    assert_eq!(audits(store, "model_site_awarded").await, 2);
    assert_eq!(audits(store, "model_site_revoked").await, 1);
}
