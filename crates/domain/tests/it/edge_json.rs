//! Command JSON as the edges read it (`parse_command_json`: the CLI's `exec` and
//! `exec --stream`), on hostile text; and the fuzzers' checked-in seeds
//! (`fuzz/corpus/<target>/seed-*`), which must stay valid inputs so each fuzz run
//! starts from real commands and real stored events of every schema version.

use std::path::PathBuf;

use daybook_domain::upcast::decode;
use daybook_domain::{Command, CommandParseError, parse_command_json};

fn seeds(target: &str) -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            name.starts_with("seed-")
                .then(|| (name, std::fs::read_to_string(&p).expect("readable seed")))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_command_fuzzers_seeds_are_commands() {
    let seeds = seeds("command_json");
    assert!(seeds.len() >= 5, "{seeds:?}");
    for (name, text) in seeds {
        let env = parse_command_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Ok(bare) = serde_json::from_str::<Command>(&text) {
            assert_eq!(bare, env.command, "{name}");
        }
    }
}

#[test]
fn the_upcast_fuzzers_seeds_are_stored_events_of_every_version() {
    let seeds = seeds("upcast");
    let mut versions = std::collections::BTreeSet::new();
    for (name, text) in &seeds {
        let mut parts = text.splitn(3, '\n');
        let (t, v, payload) = (parts.next(), parts.next(), parts.next());
        let (Some(t), Some(v), Some(payload)) = (t, v, payload) else {
            panic!("{name}: not <type>\\n<version>\\n<payload>");
        };
        let v: u32 = v.parse().unwrap_or_else(|e| panic!("{name}: {e}"));
        decode(t, v, payload).unwrap_or_else(|e| panic!("{name}: {e}"));
        versions.insert((t.to_string(), v));
    }
    for (t, _, current) in daybook_domain::Event::TYPES {
        for v in 1..=*current {
            assert!(
                versions.contains(&(t.to_string(), v)),
                "no upcast seed of {t} v{v}"
            );
        }
    }
}

#[test]
fn hostile_command_text_is_an_error_of_the_right_kind() {
    let json = |t: &str| matches!(parse_command_json(t), Err(CommandParseError::Json(_)));
    let command = |t: &str| matches!(parse_command_json(t), Err(CommandParseError::Command(_)));
    let envelope = |t: &str| matches!(parse_command_json(t), Err(CommandParseError::Envelope(_)));
    assert!(json(""));
    assert!(json("{\"type\":\"PlaceOrder\","));
    assert!(json("\"\\ud800\""));
    // serde_json's recursion limit: an error, not a stack overflow.
    assert!(json(&"[".repeat(200_000)));
    assert!(json(&format!(
        "{}{}",
        "{\"a\":".repeat(100_000),
        "}".repeat(100_000)
    )));
    assert!(command("[1, 2]"));
    assert!(command("null"));
    assert!(command("{\"type\":\"DropDatabase\"}"));
    assert!(command("{\"type\":\"PlaceOrder\",\"order_id\":\"x\"}"));
    assert!(command(
        "{\"type\":\"PlaceOrder\",\"order_id\":\"0190a5f2-0000-7000-8000-000000000001\",\"account\":1}"
    ));
    assert!(envelope("{\"command\":{\"type\":\"PlaceOrder\"}}"));
    assert!(envelope(
        "{\"command_id\":\"0190a5f2-0000-7000-8000-000000000001\",\"issued_at\":\"now\",\
         \"command\":{\"type\":\"PlaceOrder\",\"order_id\":\"0190a5f2-0000-7000-8000-000000000001\"}}"
    ));
    // The messages name what was wrong, as `daybook exec` prints them.
    let e = parse_command_json("[1]").expect_err("not a command");
    assert!(e.to_string().starts_with("not a command: "), "{e}");
}
