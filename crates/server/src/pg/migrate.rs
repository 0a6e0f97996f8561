//! The PostgreSQL schema: numbered migrations (`migrations/NNNN_*.sql`), applied on
//! start in one transaction under an advisory lock (instances starting together
//! migrate once) and recorded in `daybook_migrations`. A database newer than this
//! build is refused.

use deadpool_postgres::Pool;

use crate::error::ServerError;

/// The numbered migrations, applied in order on start (`daybook_migrations`).
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_envelope_hash.sql"),
    include_str!("migrations/0003_people.sql"),
    include_str!("migrations/0004_waiting.sql"),
];
/// Advisory lock key held while migrating, so instances starting together migrate once.
const MIGRATION_LOCK: i64 = 0x6461_7962_6f6f_6b01;

/// Applies the numbered migrations not yet applied, under an advisory lock.
pub(super) async fn migrate(pool: &Pool) -> Result<(), ServerError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS daybook_migrations (
             version    integer     PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let done: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM daybook_migrations",
            &[],
        )
        .await?
        .try_get(0)?;
    let done = usize::try_from(done).unwrap_or(0);
    if done > MIGRATIONS.len() {
        return Err(ServerError::Corrupt(format!(
            "the database is at schema version {done}, newer than this server's {}",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        tx.batch_execute(sql).await?;
        let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO daybook_migrations (version) VALUES ($1)",
            &[&version],
        )
        .await?;
        tracing::info!(version, "applied database migration");
    }
    tx.commit().await?;
    Ok(())
}
