use super::*;
use daybook_app::NumberSeries;
use daybook_app::query::CustomerQuery;
use daybook_domain::{
    AddOrderLine, Command, CommandEnvelope, CreateOrder, CustomerId, CustomerKind, LineId, Money,
    OrderId, ProductId, RegisterCustomer, RegisterProduct, VatClass,
};
use serde_json::json;
use tauri::async_runtime::block_on;

fn open(dir: &tempfile::TempDir) -> AppState {
    AppState::open(&Config {
        data_dir: dir.path().join("data"),
        user: "ann".into(),
        demo_orders: None,
        server: None,
        token: None,
    })
    .expect("open")
}

fn run(state: &AppState, command: Command) -> Res<daybook_app::CommandOutcome> {
    block_on(state.write(|db| db.execute_envelope(CommandEnvelope::new(command))))
}

fn register_customer(state: &AppState, number: String) -> CustomerId {
    let customer = CustomerId::new();
    run(
        state,
        Command::RegisterCustomer(RegisterCustomer {
            customer_id: customer,
            number,
            kind: CustomerKind::Organisation,
            name: "Acme".into(),
            vat_number: None,
            email: None,
            currency: Default::default(),
            spending_limit: None,
        }),
    )
    .expect("customer");
    customer
}

/// A customer, a product and a draft order for them.
fn draft(state: &AppState) -> (OrderId, ProductId) {
    let customer = register_customer(state, "C-1".into());
    let (product, order) = (ProductId::new(), OrderId::new());
    run(
        state,
        Command::RegisterProduct(RegisterProduct {
            product_id: product,
            code: "P-1".into(),
            description: "Chair".into(),
            unit_price: Money(12_50),
            vat_class: VatClass::Standard,
        }),
    )
    .expect("product");
    run(
        state,
        Command::CreateOrder(CreateOrder {
            order_id: order,
            number: "SO-1".into(),
            customer_id: customer,
        }),
    )
    .expect("order");
    (order, product)
}

fn customers(state: &AppState) -> u64 {
    block_on(state.read(|r| r.customers(&CustomerQuery::default())))
        .expect("customers")
        .total
}

fn is_empty(state: &AppState) -> Res<bool> {
    block_on(state.read(|r| r.is_empty()))
}

fn add_customer(state: &AppState) {
    let number =
        block_on(state.write(|db| db.next_number(NumberSeries::Customer))).expect("number");
    register_customer(state, number);
}

#[test]
fn opens_an_empty_store_in_the_data_dir_as_the_user() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = open(&dir);
    assert!(dir.path().join("data").join(DB_FILE).exists());
    assert_eq!(state.info().user, "ann");
    assert!(state.info().device.starts_with("device-"));
    assert_eq!(is_empty(&state), Ok(true));
}

#[test]
fn reads_see_a_command_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = open(&dir);
    draft(&state);
    assert_eq!(customers(&state), 1);
    assert_eq!(is_empty(&state), Ok(false));
    let status = block_on(crate::sync::SyncEngine::default().status(&state)).expect("status");
    assert_eq!(
        (status.configured, status.online, status.pending),
        (false, false, 3)
    );
}

#[test]
fn a_refused_command_crosses_ipc_as_an_error_body_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = open(&dir);
    let (order, product) = draft(&state);
    let err = run(
        &state,
        Command::AddOrderLine(AddOrderLine {
            order_id: order,
            line_id: LineId::new(),
            product_id: product,
            quantity: 0,
            unit_price: None,
            discount_bp: 0,
            description: None,
        }),
    )
    .expect_err("quantity 0 is refused");
    assert_eq!(
        serde_json::to_value(&err).expect("json"),
        json!({
            "code": "invalid_quantity",
            "message": "quantity must be greater than 0 (got 0)",
            "field": "quantity",
            "params": {"quantity": 0},
        })
    );
    let detail = block_on(state.read(move |r| r.order(order.0))).expect("order");
    assert!(detail.lines.is_empty());
    let events = block_on(state.read(move |r| r.event_types(order.0))).expect("events");
    assert_eq!(events, ["OrderCreated"]);
}

#[test]
fn an_unknown_record_is_not_found_with_the_field_to_mark() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = open(&dir);
    let err = block_on(state.read(|r| r.order(Uuid::now_v7()))).expect_err("no such order");
    assert_eq!(err.code, "not_found");
    assert_eq!(err.field.as_deref(), Some("order_id"));
}

#[test]
fn demo_data_is_refused_outside_its_bounds_with_the_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = open(&dir);
    let err = state
        .write_blocking(|db| crate::demo::load(db, 0, |_, _| {}))
        .expect_err("zero orders");
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("invalid_input", Some("orders"))
    );
}

#[test]
fn a_restore_swaps_the_store_under_the_writer_and_the_readers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = open(&dir);
    add_customer(&state);
    let backup = dir.path().join("b.sqlite3");
    let dest = backup.clone();
    block_on(state.read(move |r| r.backup_to(&dest))).expect("backup");
    add_customer(&state);
    assert_eq!(customers(&state), 2);
    let from = backup.clone();
    let report =
        block_on(state.replace_store(move |live| daybook_app::backup::restore_file(live, &from)))
            .expect("restore");
    assert!(report.kept_aside.is_some());
    // Every reader and the writer see the restored file.
    for _ in 0..READERS {
        assert_eq!(customers(&state), 1);
    }
    add_customer(&state);
    assert_eq!(customers(&state), 2);
    // A refused backup changes nothing and leaves the store working.
    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, "junk").expect("write");
    let err =
        block_on(state.replace_store(move |live| daybook_app::backup::restore_file(live, &junk)))
            .expect_err("junk");
    assert_eq!(err.code, "invalid_backup");
    assert_eq!(customers(&state), 2);
    add_customer(&state);
}

#[test]
fn a_damaged_store_opens_in_recovery_mode_and_starts_fresh() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(open(&dir));
    let file = dir.path().join("data").join(DB_FILE);
    let mut bytes = std::fs::read(&file).expect("read");
    bytes[..16].copy_from_slice(b"garbage garbage!");
    std::fs::write(&file, bytes).expect("write");
    let state = open(&dir);
    assert!(state.damaged().is_some());
    // Writes are refused, not written nowhere.
    assert!(block_on(state.write(|db| db.next_number(NumberSeries::Order))).is_err());
    block_on(state.replace_store(daybook_app::backup::start_fresh)).expect("fresh");
    assert_eq!(state.damaged(), None);
    assert_eq!(is_empty(&state), Ok(true));
    add_customer(&state);
    assert_eq!(is_empty(&state), Ok(false));
}
