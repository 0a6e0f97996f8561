//! People on a store: once someone has signed in, it is an account's store, and with
//! nobody signed in it can be read but takes no new command.

use daybook_app::{AppError, Daybook, OpenOptions, SignedIn};
use daybook_domain::Role;
use daybook_testkit::{dump, sample};

fn anna() -> SignedIn {
    SignedIn {
        login: "anna@example.com".into(),
        name: "Anna de Vries".into(),
        role: Role::Clerk,
    }
}

#[test]
fn a_store_nobody_is_signed_in_on_any_more_takes_no_command_until_someone_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        Daybook::open_dir(
            dir.path(),
            OpenOptions {
                user: Some("owner".into()),
                ..OpenOptions::default()
            },
        )
        .unwrap()
    };
    let mut db = open();
    // Given: the owner worked before anyone signed in, then Anna signed in and out.
    db.execute(sample::customer("C-1", None).1.into()).unwrap();
    db.sign_in_as(&anna()).unwrap();
    db.execute(sample::customer("C-2", None).1.into()).unwrap();
    db.forget_signed_in().unwrap();
    assert!(db.signed_out());
    assert!(db.read().sign_in_required().unwrap());
    let before = dump::exact(db.conn());

    // When: a command, alone, in a batch or all-or-nothing. Then: refused, nothing written.
    let refused = db.execute(sample::customer("C-3", None).1.into());
    assert!(
        matches!(refused, Err(AppError::SignInRequired)),
        "{refused:?}"
    );
    assert_eq!(
        refused.unwrap_err().body().code.as_str(),
        "sign_in_required"
    );
    let command = daybook_domain::CommandEnvelope::new(sample::customer("C-4", None).1.into());
    assert!(matches!(
        db.execute_batch([command.clone()]),
        Err(AppError::SignInRequired)
    ));
    assert!(matches!(
        db.execute_atomic([command]),
        Err(AppError::SignInRequired)
    ));
    assert_eq!(dump::exact(db.conn()), before);
    // Reading goes on.
    assert_eq!(db.read().customers(&Default::default()).unwrap().total, 2);

    // The same after the app restarts (whatever user it is started with).
    drop(db);
    let mut db = open();
    assert!(db.signed_out());
    assert!(matches!(
        db.execute(sample::customer("C-3", None).1.into()),
        Err(AppError::SignInRequired)
    ));

    // Someone signs in: work goes on, as them.
    db.sign_in_as(&anna()).unwrap();
    assert!(!db.signed_out());
    assert!(!db.read().sign_in_required().unwrap());
    db.execute(sample::customer("C-3", None).1.into()).unwrap();
    assert_eq!(db.identity().user, "anna@example.com");
}

#[test]
fn a_store_nobody_ever_signed_in_on_is_its_owners() {
    let mut db = daybook_testkit::open_in_memory("owner", "laptop");
    assert!(!db.signed_out());
    assert!(!db.read().sign_in_required().unwrap());
    db.execute(sample::customer("C-1", None).1.into()).unwrap();
    assert_eq!(db.identity().role, Role::Admin);
}
