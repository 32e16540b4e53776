//! `GET /events`: server-sent events of committed closed-loop changes, filtered to the
//! caller's subtree — this process's own and those a detection worker relays over the bus
//! (`AppState::relayed`). Pages refresh their fragments on them (htmx `sse:change`), so the
//! dashboard moves without polling. Police only: the stream names warnings, instructions and
//! units, which a bank's or an operator's liaison has no business seeing.

use crate::auth::permission::ViewInstructions;
use crate::auth::Require;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use fanzha_workflow::{Notice, OrgTree};
use futures_util::stream::Stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

/// Who may listen: every police role (the instruction queues' readers).
pub type Live = ViewInstructions;

pub async fn events(
    auth: Require<Live>,
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let unit = auth.principal.unit_code.clone();
    let service = state.loop_service.clone();
    let own = BroadcastStream::new(state.loop_service.subscribe());
    let relayed = BroadcastStream::new(state.relayed.subscribe());
    let stream = own.merge(relayed).filter_map(move |item| {
        match item {
            Ok(notice) => {
                let visible = {
                    let tree = service.tree();
                    let at = notice.unit_code();
                    at == unit || is_below(&*tree, at, &unit)
                };
                visible.then(|| Ok(to_event(&notice)))
            }
            // A slow reader missed some notices: tell it to refresh everything.
            Err(BroadcastStreamRecvError::Lagged(_)) => Some(Ok(Event::default()
                .event("change")
                .data(r#"{"kind":"lagged"}"#))),
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn is_below(tree: &impl OrgTree, unit: &str, ancestor: &str) -> bool {
    let mut cur = tree.parent(unit);
    while let Some(c) = cur {
        if c == ancestor {
            return true;
        }
        cur = tree.parent(&c);
    }
    false
}

fn to_event(n: &Notice) -> Event {
    Event::default()
        .event("change")
        .data(serde_json::to_string(n).unwrap_or_else(|_| "{}".into()))
}
