//! The revision kept current across replicas: LISTEN/NOTIFY on a dedicated connection, a
//! periodic read as the fallback, and fail-closed while the connection is down.
//!
//! Every write that bumps the revision NOTIFYs its new value in the same transaction
//! ([`super::Write::finish`]), so a replica hears of a change as soon as it commits. A
//! notification can only be missed while the connection is down; the connection is marked
//! live again only after `LISTEN` is in place *and* the revision was read afresh, so nothing
//! committed during the gap goes unseen. The periodic read (every [`FALLBACK_PERIOD`]) covers
//! a notification lost any other way, and notices a connection that went silent (a read
//! that does not answer within [`CHECK_TIMEOUT`] marks the replica not live).

use super::tls::Tls;
use super::{RevisionState, REVISION_CHANNEL};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, Client};

/// The `application_name` of the notification connection.
pub const LISTENER_NAME: &str = "warden-listener";

/// How often the revision is read even without a notification.
const FALLBACK_PERIOD: Duration = Duration::from_secs(2);
/// How long the periodic read may take before the connection is taken for lost.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);
/// How long to wait between reconnection attempts: short, so a replica is back within a
/// second of the database's return.
const RECONNECT_DELAY: Duration = Duration::from_millis(200);

/// Connect and listen once (an error means the database is not reachable now), then keep
/// listening in a background task that reconnects by itself, with the pool's TLS settings.
pub(super) async fn start(
    config: tokio_postgres::Config,
    tls: Tls,
    state: Arc<RevisionState>,
) -> Result<tokio::task::JoinHandle<()>, tokio_postgres::Error> {
    let first = listen(&config, &tls, &state).await?;
    Ok(tokio::spawn(run(config, tls, state, first)))
}

/// A listening connection: its client and the notifications it receives (the channel
/// closes when the connection does).
struct Listening {
    client: Client,
    payloads: mpsc::UnboundedReceiver<String>,
}

async fn listen(
    config: &tokio_postgres::Config,
    tls: &Tls,
    state: &RevisionState,
) -> Result<Listening, tokio_postgres::Error> {
    let mut config = config.clone();
    // Named apart from the pool's connections, so an operator (or a test) can find it.
    config.application_name(LISTENER_NAME);
    let (client, mut connection) = config.connect(tls.clone()).await?;
    let (sender, payloads) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if sender.send(n.payload().to_owned()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "revision notification connection lost");
                    break;
                }
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {REVISION_CHANNEL}"))
        .await?;
    let revision: i64 = client
        .query_one("SELECT value FROM meta WHERE key = 'revision'", &[])
        .await?
        .try_get(0)?;
    state.saw(revision);
    state.live.store(true, Ordering::Release);
    Ok(Listening { client, payloads })
}

async fn run(
    config: tokio_postgres::Config,
    tls: Tls,
    state: Arc<RevisionState>,
    first: Listening,
) {
    let mut current = Some(first);
    loop {
        match current.take() {
            Some(listening) => {
                follow(listening, &state).await;
                state.live.store(false, Ordering::Release);
                tracing::error!("lost the revision notifications: decisions that need the directory answer 503 until they are back");
            }
            None => {
                tokio::time::sleep(RECONNECT_DELAY).await;
                match listen(&config, &tls, &state).await {
                    Ok(listening) => {
                        tracing::info!("revision notifications are back");
                        current = Some(listening);
                    }
                    Err(e) => tracing::debug!(error = %e, "revision listener cannot reconnect yet"),
                }
            }
        }
    }
}

/// Follow notifications and the periodic read until the connection is lost.
async fn follow(mut listening: Listening, state: &RevisionState) {
    let mut tick = tokio::time::interval(FALLBACK_PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            payload = listening.payloads.recv() => match payload {
                Some(p) => match p.parse::<i64>() {
                    Ok(revision) => state.saw(revision),
                    Err(_) => tracing::warn!(payload = %p, "ignored a revision notification that is not a number"),
                },
                None => return,
            },
            _ = tick.tick() => {
                let read = tokio::time::timeout(
                    CHECK_TIMEOUT,
                    listening.client.query_one("SELECT value FROM meta WHERE key = 'revision'", &[]),
                )
                .await;
                match read {
                    Ok(Ok(row)) => match row.try_get(0) {
                        Ok(revision) => state.saw(revision),
                        Err(_) => return,
                    },
                    _ => return,
                }
            }
        }
    }
}
