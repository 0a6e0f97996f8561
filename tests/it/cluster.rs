//! What the sync reliability harnesses share: clients that remember which of their
//! commands were acknowledged locally, driving random commands, and the checks of the
//! end state (the server's account database, each client's outbox and needs-attention
//! list against the server's answers).

use std::collections::{BTreeMap, HashMap};

use daybook_domain::CommandEnvelope;
use daybook_testkit::dump::{self, rows};
use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

use crate::random::CommandGen;
use crate::sync::{Client, Server};

/// A client with its command generator and the commands it acknowledged.
pub struct Actor {
    pub name: String,
    pub client: Client,
    pub generator: CommandGen,
    /// Commands committed locally that wrote events (so they are in the outbox).
    pub acked: Vec<Uuid>,
    /// Commands refused locally (nothing written, nothing to sync).
    pub refused_locally: u64,
    /// Commands that needed attention and were discarded (or replaced by a retry).
    pub discarded: std::collections::HashSet<Uuid>,
    pub syncs: u64,
    pub failed_syncs: u64,
}

impl Actor {
    pub fn new(name: &str, url: &str, token: &str, generator: CommandGen) -> Actor {
        Actor::with_client(name, Client::new(url, token, name), generator)
    }

    /// `n` actors of a seeded run on `url` (the server's, or a proxy's): actor `i` is
    /// named `{name}{i}` with a token of its own, and generates commands from seed
    /// `seed + i + 1` with records prefixed `{prefix}{i}`.
    pub fn fleet(
        n: usize,
        name: &str,
        prefix: &str,
        server: &Server,
        url: &str,
        seed: u64,
    ) -> Vec<Actor> {
        (0..n)
            .map(|i| {
                let name = format!("{name}{i}");
                let generator =
                    CommandGen::new(seed.wrapping_add(i as u64 + 1), &format!("{prefix}{i}"));
                Actor::new(&name, url, &server.token(&name), generator)
            })
            .collect()
    }

    /// An actor over an existing client.
    pub fn with_client(name: &str, client: Client, generator: CommandGen) -> Actor {
        Actor {
            name: name.into(),
            client,
            generator,
            acked: Vec::new(),
            refused_locally: 0,
            discarded: Default::default(),
            syncs: 0,
            failed_syncs: 0,
        }
    }

    /// Runs `env` locally, remembering it if it was acknowledged with events.
    pub fn run(&mut self, env: CommandEnvelope) {
        let id = env.command_id;
        match self.client.with(|d| d.execute_envelope(env)) {
            Ok(o) if !o.events.is_empty() => self.acked.push(id),
            Ok(_) => {}
            Err(e @ daybook_app::AppError::Store(_)) if e.body().code != "conflict" => {
                panic!("{}: the local store failed: {e}", self.name)
            }
            Err(_) => self.refused_locally += 1,
        }
    }

    /// Runs the next `n` generated commands.
    pub fn work(&mut self, n: u64) {
        for _ in 0..n {
            let env = self.generator.next();
            self.run(env);
        }
    }

    /// One sync; a failure must be transient (the network or the server away).
    pub fn sync(&mut self) -> bool {
        self.syncs += 1;
        match self.client.try_sync() {
            Ok(_) => true,
            Err(e) => {
                assert!(
                    e.is_transient(),
                    "{}: a network fault or a server crash gave a permanent error: {e}",
                    self.name
                );
                self.failed_syncs += 1;
                false
            }
        }
    }

    /// One sync while the user keeps working: `n` commands run on the store from
    /// another thread during the sync (so some land between its push and its pull,
    /// and rebases meet pending commands). Same checks as [`Actor::sync`].
    pub fn sync_while_working(&mut self, n: u64) -> bool {
        let envs: Vec<CommandEnvelope> = (0..n).map(|_| self.generator.next()).collect();
        let db = self.client.db.clone();
        let name = self.name.clone();
        let worker = std::thread::spawn(move || {
            let mut done = Vec::new();
            for env in envs {
                std::thread::sleep(std::time::Duration::from_millis(2));
                done.push((env.command_id, db.lock().unwrap().execute_envelope(env)));
            }
            done
        });
        let ok = self.sync();
        for (id, r) in worker.join().expect("the worker ends") {
            match r {
                Ok(o) if !o.events.is_empty() => self.acked.push(id),
                Ok(_) => {}
                Err(e @ daybook_app::AppError::Store(_)) if e.body().code != "conflict" => {
                    panic!("{name}: the local store failed: {e}")
                }
                Err(_) => self.refused_locally += 1,
            }
        }
        ok
    }

    /// Syncs until a sync succeeds with nothing left to push (bounded).
    pub fn settle(&mut self) {
        for _ in 0..50 {
            if self.sync()
                && self
                    .client
                    .with(|d| d.read().outbox_counts().unwrap().pending)
                    == 0
            {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("{}: never settled", self.name);
    }
}

/// What the server's account database says about each processed command.
pub struct ServerLog {
    /// command id -> (status, error code).
    pub commands: HashMap<Uuid, (String, Option<String>)>,
    pub events: i64,
}

/// Checks the server's files: integrity of the registry and the account database, a
/// gap-free sequence, and every accepted command's events exactly once, contiguous,
/// where `sync_commands` says they are; every event belongs to an accepted command.
pub fn check_server(server: &Server) -> ServerLog {
    let registry = server.registry_db();
    for path in [registry, server.account_db()] {
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        assert_eq!(
            rows(&conn, "PRAGMA integrity_check"),
            ["[Text(\"ok\")]"],
            "integrity of {}",
            path.display()
        );
    }
    let conn =
        Connection::open_with_flags(server.account_db(), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let (count, min, max): (i64, Option<i64>, Option<i64>) = conn
        .query_row("SELECT count(*), min(seq), max(seq) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    if count > 0 {
        assert_eq!(
            (min, max),
            (Some(1), Some(count)),
            "the sequence is gap-free"
        );
    }
    // Each command's events: exactly where sync_commands says, contiguous.
    let mut stmt = conn
        .prepare(
            "SELECT c.command_id, c.status, c.error, c.first_seq, c.last_seq,
                    count(e.seq), min(e.seq), max(e.seq)
             FROM sync_commands c LEFT JOIN events e ON e.command_id = c.command_id
             GROUP BY c.command_id",
        )
        .unwrap();
    type Row = (
        Uuid,
        String,
        Option<String>,
        Option<i64>,
        Option<i64>,
        i64,
        Option<i64>,
        Option<i64>,
    );
    let all: Vec<Row> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut commands = HashMap::new();
    let mut in_commands = 0;
    for (id, status, error, first, last, n, lo, hi) in all {
        match status.as_str() {
            "accepted" => {
                assert_eq!((lo, hi), (first, last), "{id}: events where recorded");
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    assert_eq!(n, hi - lo + 1, "{id}: its events exactly once, together");
                }
            }
            _ => assert_eq!(n, 0, "{id}: a rejected command wrote events"),
        }
        in_commands += n;
        let code = error.map(|e| {
            serde_json::from_str::<serde_json::Value>(&e).unwrap()["code"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        });
        commands.insert(id, (status, code));
    }
    assert_eq!(
        in_commands, count,
        "every event belongs to a recorded command"
    );
    ServerLog {
        commands,
        events: count,
    }
}

/// Every command an actor acknowledged is accounted for: accepted by the server, or
/// in its needs-attention list (refused by the server with the same code, or set
/// aside locally as a conflict and never accepted). Nothing is left to push. Returns
/// (accepted, rejected, conflicts).
pub fn check_actor(actor: &Actor, log: &ServerLog) -> (u64, u64, u64) {
    let (pending, attention) = actor.client.with(|d| {
        (
            d.read().outbox_counts().unwrap().pending,
            d.read().needs_attention().unwrap(),
        )
    });
    assert_eq!(pending, 0, "{}: commands still waiting", actor.name);
    let attention: BTreeMap<Uuid, _> = attention.into_iter().map(|a| (a.command_id, a)).collect();
    let (mut accepted, mut rejected, mut conflicts) = (0, 0, 0);
    let mut discarded = 0;
    for id in &actor.acked {
        if actor.discarded.contains(id) {
            // The user gave up on it (or retried it as a new command): it must not
            // have been accepted, and it no longer needs attention.
            let server = log.commands.get(id).map(|(s, _)| s.as_str());
            assert!(
                server != Some("accepted"),
                "{}: {id} discarded but accepted",
                actor.name
            );
            assert!(
                !attention.contains_key(id),
                "{}: {id} discarded",
                actor.name
            );
            discarded += 1;
            continue;
        }
        match (log.commands.get(id), attention.get(id)) {
            (Some((s, _)), None) if s == "accepted" => accepted += 1,
            (Some((s, code)), Some(item)) if s == "rejected" => {
                assert_eq!(item.status, "rejected", "{}: {id}", actor.name);
                assert_eq!(
                    item.error.as_ref().map(|e| e.code.to_string()),
                    code.clone(),
                    "{}: {id}: the server's reason",
                    actor.name
                );
                rejected += 1;
            }
            (None, Some(item)) if item.status == "conflict" => conflicts += 1,
            (server, local) => panic!(
                "{}: acknowledged command {id} is lost or misfiled: server {server:?}, \
                 needs attention {:?}",
                actor.name,
                local.map(|l| (&l.status, &l.error))
            ),
        }
    }
    assert_eq!(
        accepted + rejected + conflicts + discarded,
        actor.acked.len() as u64,
        "{}",
        actor.name
    );
    // Nothing else needs attention than what the checks above explained.
    assert_eq!(
        attention.len() as u64,
        rejected + conflicts,
        "{}: needs attention holds commands it did not acknowledge",
        actor.name
    );
    (accepted, rejected, conflicts)
}

/// A short hash of a store's read models (for the summary line).
pub fn models_hash(client: &Client) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    client.with(|d| dump::content(d.conn())).hash(&mut h);
    h.finish()
}
