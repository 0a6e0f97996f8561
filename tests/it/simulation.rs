//! A seeded randomised simulation of many devices on one account: each client (an
//! in-process store with the real sync engine, over real HTTP to the real server)
//! goes offline for random stretches, issues random valid and invalid commands
//! against shared customers, products and orders (and its own), syncs now and then,
//! and deals with what needs attention (discards some, retries some). At the end
//! every client syncs until nothing is left to push, and then:
//! - every client has the server's log and read models equal to a replica rebuilt
//!   from the server's log (`assert_converged`; the read models' hash is printed);
//! - every command a client acknowledged is accepted on the server exactly once, or
//!   in that client's needs-attention list with the server's own reason (rejected)
//!   or set aside locally (conflict), or was discarded by its user;
//! - the server's files pass `integrity_check` and its sequence is gap-free.
//!
//! The run is sequential, so a seed reproduces it exactly: `DAYBOOK_SIM_SEED`.
//! `DAYBOOK_SIM_CLIENTS` (default 6, up to 20 and more), `DAYBOOK_SIM_ROUNDS` (default
//! 20) and `DAYBOOK_SIM_FAULTS` (percent of requests the proxy breaks; default 0, which
//! keeps runs reproducible) make it bigger; `DAYBOOK_SIM_CONCURRENT=1` has clients
//! keep working during their syncs (local commands land between a sync's push and
//! pull: conflicts), at the price of exact reproducibility.

use std::time::{Duration, Instant};

use daybook_testkit::{Rng, env_number, seed};

use crate::cluster::{Actor, check_actor, check_server, models_hash};
use crate::proxy::Proxy;
use crate::random::CommandGen;
use crate::sync::{Client, Server, assert_converged};

#[test]
fn simulation_many_clients_offline_and_online_converge() {
    let (seed, _guard) = seed("DAYBOOK_SIM_SEED", "simulation");
    let n = env_number("DAYBOOK_SIM_CLIENTS", 6).max(2) as usize;
    let rounds = env_number("DAYBOOK_SIM_ROUNDS", 20);
    let faults = env_number("DAYBOOK_SIM_FAULTS", 0);
    let concurrent = env_number("DAYBOOK_SIM_CONCURRENT", 0) > 0;
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let server = Server::start();
    let proxy = Proxy::start(server.addr, seed, Duration::from_secs(3_600));
    let mut actors = Actor::fleet(n, "u", "D", &server, &proxy.url(), seed);

    // Shared records: made on the first device, known to every generator.
    let mut setup = CommandGen::new(seed ^ 0xC0FFEE, "SH");
    for _ in 0..60 {
        let env = setup.next();
        actors[0].run(env);
    }
    for a in actors.iter_mut() {
        a.settle();
        a.generator.known = setup.known.clone();
    }

    let mut offline_until = vec![0u64; n];
    let (mut offline_periods, mut discards, mut retries) = (0u64, 0u64, 0u64);
    proxy.set_faults(faults);
    for round in 0..rounds {
        for i in 0..n {
            let a = &mut actors[i];
            a.work(rng.range(0, 10));
            if round < offline_until[i] {
                continue;
            }
            if rng.chance(15) {
                offline_until[i] = round + rng.range(1, 6);
                offline_periods += 1;
                continue;
            }
            if !rng.chance(60) {
                continue;
            }
            let synced = if concurrent && rng.chance(50) {
                a.sync_while_working(rng.range(1, 8))
            } else {
                a.sync()
            };
            if synced {
                // What needs attention: some are discarded, some retried as they were.
                let attention = a.client.with(|d| d.read().needs_attention().unwrap());
                if let Some(item) = rng.choose(&attention) {
                    let id = item.command_id;
                    if rng.chance(30) {
                        a.client.with(|d| d.discard(id)).unwrap();
                        a.discarded.insert(id);
                        discards += 1;
                    } else if rng.chance(30)
                        && let Ok(o) = a.client.with(|d| d.retry(id, None))
                    {
                        a.discarded.insert(id);
                        if !o.events.is_empty() {
                            a.acked.push(o.command_id);
                        }
                        retries += 1;
                    }
                }
                // Colleagues' records seen after a sync become things to work on.
                let other = rng.below(n as u64) as usize;
                let seen: Vec<_> = actors[other]
                    .generator
                    .known
                    .orders
                    .iter()
                    .rev()
                    .take(3)
                    .cloned()
                    .collect();
                let customers: Vec<_> = actors[other]
                    .generator
                    .known
                    .customers
                    .iter()
                    .rev()
                    .take(2)
                    .cloned()
                    .collect();
                let known = &mut actors[i].generator.known;
                for o in seen {
                    if !known.orders.iter().any(|k| k.id == o.id) {
                        known.orders.push(o);
                    }
                }
                for c in customers {
                    if !known.customers.iter().any(|k| k.0 == c.0) {
                        known.customers.push(c);
                    }
                }
            }
        }
    }
    let injected = proxy.faults();
    proxy.set_faults(0);
    std::thread::sleep(Duration::from_millis(if injected > 0 { 400 } else { 0 }));
    for _ in 0..2 {
        for a in actors.iter_mut() {
            a.settle();
        }
    }

    let log = check_server(&server);
    let (mut accepted, mut rejected, mut conflicts) = (0, 0, 0);
    for a in &actors {
        let (ac, re, co) = check_actor(a, &log);
        (accepted, rejected, conflicts) = (accepted + ac, rejected + re, conflicts + co);
    }
    let clients: Vec<&Client> = actors.iter().map(|a| &a.client).collect();
    assert_converged(&server, &clients);
    let hashes: std::collections::BTreeSet<u64> =
        actors.iter().map(|a| models_hash(&a.client)).collect();
    assert_eq!(hashes.len(), 1, "one projection hash across clients");
    let acked: usize = actors.iter().map(|a| a.acked.len()).sum();
    let refused: u64 = actors.iter().map(|a| a.refused_locally).sum();
    let syncs: u64 = actors.iter().map(|a| a.syncs).sum();
    println!(
        "simulation: {n} clients, {rounds} rounds, {acked} acked commands ({accepted} \
         accepted, {rejected} rejected by the server and in needs-attention, {conflicts} \
         conflicts, {discards} discarded, {retries} retried, 0 lost), {refused} refused \
         locally, {offline_periods} offline periods, {syncs} syncs, {injected} faults, \
         {} server events, read models {:016x} on every client and the replica, seed \
         {seed}, {:.1} s",
        log.events,
        hashes.first().copied().unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    let refused_by_server = log
        .commands
        .values()
        .filter(|(status, _)| status == "rejected")
        .count();
    assert!(
        refused_by_server > 0,
        "the simulation produced no server refusal to check"
    );
}

/// A device offline for a long stretch (more commands than one push holds, on records
/// colleagues changed meanwhile) comes back: its outbox goes up in several pushes,
/// refusals in an early push rebase the streams under commands still waiting in later
/// ones, and everything still converges and is accounted for.
#[test]
fn simulation_a_long_offline_stretch_pushes_in_several_batches() {
    let (seed, _guard) = seed("DAYBOOK_SIM_SEED", "simulation-offline");
    let long = env_number("DAYBOOK_SIM_OFFLINE_COMMANDS", 1_100);
    let started = Instant::now();
    let server = Server::start();
    let mut actors = Actor::fleet(3, "o", "O", &server, &server.url(), seed);
    let mut setup = CommandGen::new(seed ^ 0xBEEF, "SH");
    for _ in 0..80 {
        let env = setup.next();
        actors[0].run(env);
    }
    for a in actors.iter_mut() {
        a.settle();
        a.generator.known = setup.known.clone();
    }
    // o2 is offline for the whole stretch; the others work on the same records.
    actors[2].work(long);
    for _ in 0..10 {
        for a in actors.iter_mut().take(2) {
            a.work(30);
            a.sync();
        }
    }
    let pending = actors[2]
        .client
        .with(|d| d.read().outbox_counts().unwrap().pending);
    assert!(pending > 500, "more than one push waits: {pending}");
    for _ in 0..2 {
        for a in actors.iter_mut() {
            a.settle();
        }
    }
    let log = check_server(&server);
    let mut totals = (0, 0, 0);
    for a in &actors {
        let (ac, re, co) = check_actor(a, &log);
        totals = (totals.0 + ac, totals.1 + re, totals.2 + co);
    }
    let clients: Vec<&Client> = actors.iter().map(|a| &a.client).collect();
    assert_converged(&server, &clients);
    println!(
        "simulation-offline: {pending} commands waited on the offline device; {} \
         accepted, {} rejected, {} conflicts in all, 0 lost, {} server events, seed {seed}, \
         {:.1} s",
        totals.0,
        totals.1,
        totals.2,
        log.events,
        started.elapsed().as_secs_f64()
    );
}
