//! Row 10: the sync server's throughput, accepted commands per second, for one busy
//! account and for 100 accounts in parallel, on one and on two instances, SQLite
//! against PostgreSQL. Instances are `daybook-server`'s own code serving on real
//! loopback sockets; devices push over real HTTP with the client of `daybook_sync`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use daybook_domain::PlaceOrder;
use daybook_domain::{Command, CommandEnvelope, CustomerId, LineId, Money, OrderId, ProductId};
use daybook_protocol::{PushCommand, PushOutcome, PushRequest};
use daybook_server::{AppState, Config, PgOptions, RateLimit};
use daybook_sync::{Client, ServerConfig};
use daybook_testkit::{add_order_line, create_order, register_customer, register_product};
use uuid::Uuid;

/// Which store the instances use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Store {
    Sqlite,
    Postgres,
}

/// One measured cell.
struct Cell {
    rate: Option<f64>,
    note: &'static str,
}

/// Sizes of the server rows.
pub struct ServerSizes {
    /// Seconds each configuration is measured for.
    pub seconds: f64,
    /// Devices pushing to the one busy account.
    pub devices_one_account: usize,
    /// Accounts (one device each) in the many-accounts case.
    pub accounts: usize,
}

/// Runs every configuration and returns the table (Markdown) with its notes.
pub fn table(sizes: &ServerSizes) -> Result<String> {
    let pg = std::env::var("DAYBOOK_PG_URL").ok();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut out = String::from(
        "| 10 | Accepted commands/s (pushes of 10) | SQLite, 1 instance | PostgreSQL, 1 instance | PostgreSQL, 2 instances |\n\
         |---|---|--:|--:|--:|\n",
    );
    for (label, accounts, devices) in [
        (
            format!("1 account, {} devices", sizes.devices_one_account),
            1,
            sizes.devices_one_account,
        ),
        (
            format!("{} accounts, 1 device each", sizes.accounts),
            sizes.accounts,
            1,
        ),
    ] {
        let mut cells = Vec::new();
        for (store, instances) in [
            (Store::Sqlite, 1),
            (Store::Postgres, 1),
            (Store::Postgres, 2),
        ] {
            let cell = match (store, &pg) {
                (Store::Postgres, None) => Cell {
                    rate: None,
                    note: "no DAYBOOK_PG_URL (run `make bench`)",
                },
                (_, url) => {
                    eprintln!(
                        "[bench] server: {label}, {store:?}, {instances} instance(s), {:.0} s",
                        sizes.seconds
                    );
                    let rate = rt.block_on(measure(
                        store,
                        url.as_deref(),
                        instances,
                        accounts,
                        devices,
                        sizes.seconds,
                    ))?;
                    Cell {
                        rate: Some(rate),
                        note: "",
                    }
                }
            };
            cells.push(cell);
        }
        let render = |c: &Cell| match c.rate {
            Some(r) => format!("{} cmd/s", crate::harness::thousands(r)),
            None => c.note.to_string(),
        };
        out.push_str(&format!(
            "| | {label} | {} | {} | {} |\n",
            render(&cells[0]),
            render(&cells[1]),
            render(&cells[2])
        ));
    }
    out.push_str(
        "\nRow 10: each device pushes batches of 10 commands (2 x: register a customer, \
         create an order, add 2 lines, place it) as fast as the answers come, over HTTP on \
         loopback; devices are spread over the instances; load generator and instances share \
         the machine's cores. SQLite: synchronous=FULL per push; one instance only (it owns \
         its files). PostgreSQL: default durability (fsync, synchronous_commit=on), the \
         throwaway cluster of scripts/pg.sh.\n",
    );
    Ok(out)
}

/// Accepted commands per second of one configuration.
async fn measure(
    store: Store,
    pg_url: Option<&str>,
    instances: usize,
    accounts: usize,
    devices_per_account: usize,
    seconds: f64,
) -> Result<f64> {
    let config = Config {
        rate_limit: RateLimit {
            per_second: 0.0,
            burst: 0,
        },
        ..Config::default()
    };
    let dir = tempfile::tempdir()?;
    let mut states = Vec::new();
    for i in 0..instances {
        let state = match (store, pg_url) {
            (Store::Sqlite, _) => AppState::open(dir.path(), config.clone())?,
            (Store::Postgres, Some(url)) => {
                let options = PgOptions {
                    pool_size: 16,
                    cache_root: dir.path().join(format!("cache-{i}")),
                };
                AppState::open_postgres(url, &options, config.clone()).await?
            }
            (Store::Postgres, None) => anyhow::bail!("no PostgreSQL URL"),
        };
        states.push(state);
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut urls = Vec::new();
    let mut servers = Vec::new();
    for state in &states {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        urls.push(format!("http://{}", listener.local_addr()?));
        let mut stopped = stopped.clone();
        servers.push(tokio::spawn(daybook_server::serve(
            listener,
            state.clone(),
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            },
        )));
    }

    // Accounts and devices, each device on an instance in turn, with its product.
    let mut devices = Vec::new();
    for a in 0..accounts {
        let account = states[0].create_account(&format!("Bench {a}")).await?;
        for d in 0..devices_per_account {
            let token = states[0]
                .create_token(account, &format!("till-{d}"))
                .await?
                .token;
            let url = &urls[devices.len() % urls.len()];
            let client = Client::new(&ServerConfig {
                url: url.clone(),
                token,
            })?;
            devices.push(Device {
                client,
                account,
                seq: 0,
                product: ProductId::new(),
                tag: format!("{a}x{d}"),
                n: 0,
            });
        }
    }
    for d in &mut devices {
        let code = format!("P-{}", d.tag);
        let reg = register_product(d.product, &code, "Bench product", Money(1250)).into();
        d.push(vec![reg]).await?;
    }

    let accepted = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for mut d in devices {
        let accepted = accepted.clone();
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let batch = d.batch();
                let n = d.push(batch).await?;
                accepted.fetch_add(n, Ordering::Relaxed);
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await.context("a pushing device")??;
    }
    let elapsed = start.elapsed();
    let _ = stop.send(true);
    for s in servers {
        let _ = s.await;
    }
    Ok(accepted.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64())
}

struct Device {
    client: Client,
    account: Uuid,
    seq: u64,
    product: ProductId,
    /// Short, unique per device: in record numbers and codes.
    tag: String,
    n: u64,
}

impl Device {
    /// Two customers, each with a placed order of two lines.
    fn batch(&mut self) -> Vec<Command> {
        let mut cmds = Vec::with_capacity(10);
        for _ in 0..2 {
            self.n += 1;
            let customer_id = CustomerId::new();
            let order_id = OrderId::new();
            let number = format!("B-{}-{}", self.tag, self.n);
            let name = format!("Customer {}", self.n);
            cmds.push(register_customer(customer_id, &number, &name).into());
            let number = format!("SO-{}-{}", self.tag, self.n);
            cmds.push(create_order(order_id, &number, customer_id).into());
            for q in 1..=2 {
                cmds.push(add_order_line(order_id, LineId::new(), self.product, q).into());
            }
            cmds.push(Command::PlaceOrder(PlaceOrder { order_id }));
        }
        cmds
    }

    /// Pushes `commands`; returns how many were accepted (all must be).
    async fn push(&mut self, commands: Vec<Command>) -> Result<u64> {
        let commands: Vec<PushCommand> = commands
            .into_iter()
            .map(|c| {
                self.seq += 1;
                PushCommand::new(self.seq, "bench".into(), CommandEnvelope::new(c))
            })
            .collect();
        let res = self
            .client
            .push(self.account, &PushRequest { commands })
            .await?;
        let mut n = 0;
        for r in &res.results {
            match &r.outcome {
                PushOutcome::Accepted { .. } => n += 1,
                PushOutcome::Rejected { error } => {
                    anyhow::bail!("a bench command was refused: {}", error.message)
                }
            }
        }
        Ok(n)
    }
}
