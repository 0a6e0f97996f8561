//! Live fan-out across instances: every push's commit sends `NOTIFY daybook_heads,
//! '<account>:<head>'` (transactional: only committed heads are announced), and every
//! instance keeps one connection that `LISTEN`s and feeds its [`Hub`]. A lost
//! connection is re-made with backoff, and then the heads of the accounts being
//! watched are re-read, so a notification missed meanwhile is made up for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::{broadcast, mpsc};
use tokio_postgres::{AsyncMessage, NoTls};
use uuid::Uuid;

/// The notification channel.
pub(crate) const CHANNEL: &str = "daybook_heads";

/// Per account, the last head announced here and the live subscribers.
#[derive(Default)]
pub(crate) struct Hub {
    accounts: Mutex<HashMap<Uuid, (broadcast::Sender<i64>, i64)>>,
}

impl Hub {
    /// A receiver of the account's future heads.
    pub(crate) fn subscribe(&self, account: Uuid) -> broadcast::Receiver<i64> {
        let mut map = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(account)
            .or_insert_with(|| (broadcast::channel(64).0, 0))
            .0
            .subscribe()
    }

    /// Announces a head to the account's subscribers, if it moved forward.
    pub(crate) fn publish(&self, account: Uuid, head: i64) {
        let mut map = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((tx, last)) = map.get_mut(&account) else {
            return;
        };
        if tx.receiver_count() == 0 {
            map.remove(&account);
            return;
        }
        if head > *last {
            *last = head;
            // No receiver left is fine.
            let _ = tx.send(head);
        }
    }

    fn watched(&self) -> Vec<Uuid> {
        let map = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        map.keys().copied().collect()
    }
}

/// Listens for ever (until the task is aborted), reconnecting with backoff.
pub(crate) async fn run(config: tokio_postgres::Config, pool: Pool, hub: Arc<Hub>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match listen_once(&config, &pool, &hub).await {
            Ok(()) => backoff = Duration::from_millis(100),
            Err(e) => tracing::warn!(error = %e, "live listener lost its database connection"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn listen_once(
    config: &tokio_postgres::Config,
    pool: &Pool,
    hub: &Hub,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    if tx.send(n.payload().to_string()).is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "live listener connection failed");
                    return;
                }
                None => return,
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    tracing::debug!("listening for heads");
    catch_up(pool, hub).await;
    while let Some(payload) = rx.recv().await {
        match parse(&payload) {
            Some((account, head)) => hub.publish(account, head),
            None => tracing::warn!(payload, "unreadable head notification"),
        }
    }
    driver.abort();
    drop(client);
    Ok(())
}

/// Re-reads the heads of the watched accounts (after a (re)connect).
async fn catch_up(pool: &Pool, hub: &Hub) {
    let watched = hub.watched();
    if watched.is_empty() {
        return;
    }
    let rows = match pool.get().await {
        Ok(c) => {
            c.query(
                "SELECT id, head FROM accounts WHERE id = ANY($1)",
                &[&watched],
            )
            .await
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot re-read heads");
            return;
        }
    };
    match rows {
        Ok(rows) => {
            for r in rows {
                match (r.try_get(0), r.try_get(1)) {
                    (Ok(account), Ok(head)) => hub.publish(account, head),
                    _ => tracing::warn!("unreadable head row"),
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot re-read heads"),
    }
}

fn parse(payload: &str) -> Option<(Uuid, i64)> {
    let (account, head) = payload.split_once(':')?;
    Some((Uuid::parse_str(account).ok()?, head.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_payloads_parse() {
        let id = Uuid::now_v7();
        assert_eq!(parse(&format!("{id}:42")), Some((id, 42)));
        assert_eq!(parse("nonsense"), None);
        assert_eq!(parse(&format!("{id}:x")), None);
    }

    #[test]
    fn hub_announces_only_forward_moves() {
        let hub = Hub::default();
        let id = Uuid::now_v7();
        let mut rx = hub.subscribe(id);
        hub.publish(id, 3);
        hub.publish(id, 2);
        hub.publish(id, 5);
        assert_eq!(rx.try_recv().ok(), Some(3));
        assert_eq!(rx.try_recv().ok(), Some(5));
        assert!(rx.try_recv().is_err());
    }
}
