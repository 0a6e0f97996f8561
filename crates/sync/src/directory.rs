//! What the engine tells and learns beside the log: the account's people (so histories
//! name them) and this device's unsynced work per person (so an admin sees work
//! stranded for someone not signed in here). Both are best effort: a failure, or a
//! server older than the endpoint, never fails a sync.

use daybook_protocol::{WaitingReport, WaitingWork};
use uuid::Uuid;

use crate::engine::Engine;

impl Engine {
    /// The account's people, so histories name them: after a pull that brought events
    /// (someone may have joined or been renamed), or while this store knows nobody.
    /// Best effort: a server older than the list, or a failure here, never fails a
    /// sync (histories then show logins).
    pub(crate) async fn refresh_people(&self, account: Uuid, pulled: bool) {
        let known = self
            .with_db(|d| d.read().people())
            .await
            .is_ok_and(|p| !p.is_empty());
        if known && !pulled {
            return;
        }
        match self.client.people(account).await {
            Ok(list) => {
                let kept = self
                    .with_db(move |d| {
                        d.remember_people(
                            list.people
                                .iter()
                                .map(|p| (p.login.as_str(), p.name.as_str())),
                        )
                    })
                    .await;
                if let Err(e) = kept {
                    tracing::warn!("the account's people were not kept: {e}");
                }
            }
            Err(e) => tracing::debug!("no list of the account's people: {e}"),
        }
    }

    /// Tells the server what waits here per person, when it changed since the last
    /// report (nothing is sent while it stays the same).
    pub(crate) async fn report_waiting(&self, account: Uuid) {
        let people = match self.with_db(|d| d.read().waiting_by_user()).await {
            Ok(rows) => rows
                .into_iter()
                .map(|(user, commands)| WaitingWork { user, commands })
                .collect::<Vec<_>>(),
            Err(e) => {
                tracing::warn!("the unsynced work could not be counted: {e}");
                return;
            }
        };
        let same = self
            .reported
            .lock()
            .is_ok_and(|last| last.as_ref() == Some(&people));
        if same {
            return;
        }
        let report = WaitingReport {
            people: people.clone(),
        };
        match self.client.report_waiting(account, &report).await {
            // A server older than the report (404) is not asked again with the same
            // counts on every sync.
            Ok(()) | Err(crate::SyncError::Server { status: 404, .. }) => {
                if let Ok(mut last) = self.reported.lock() {
                    *last = Some(people);
                }
            }
            Err(e) => tracing::debug!("the unsynced work was not reported: {e}"),
        }
    }
}
