//! Company rules: the account's own details, one record at a fixed id.

use daybook_domain::event::*;
use daybook_domain::{Address, Aggregate, CompanyId, DomainError, RecordKind, StreamType};
use daybook_testkit::set_company_details;

use crate::harness::{given, given_nothing, id};

const C: StreamType = StreamType::Company;

fn details() -> CompanyDetailsChanged {
    CompanyDetailsChanged {
        name: "Daybook Trading BV".into(),
        address: Address {
            label: String::new(),
            street: "Herengracht 100".into(),
            postal_code: "1015 BS".into(),
            city: "Amsterdam".into(),
            country: "NL".into(),
        },
        vat_number: Some("NL859999999B01".into()),
        bank_account: Some("NL91 ABNA 0417 1643 00".into()),
        email: None,
        phone: None,
    }
}

#[test]
fn setting_the_details_records_them_trimmed() {
    let mut cmd = set_company_details(" Daybook Trading BV ");
    cmd.phone = Some("  ".into());
    let state = given_nothing(C).when(cmd.into()).then([details()]);
    let Aggregate::Company(Some(c)) = state else {
        panic!("no company")
    };
    assert_eq!(c.name, "Daybook Trading BV");
    assert_eq!(c.phone, None);
}

#[test]
fn setting_the_same_details_again_records_nothing() {
    given(C, [details()])
        .when(set_company_details("Daybook Trading BV").into())
        .then_nothing();
}

#[test]
fn a_change_records_the_full_new_values() {
    let mut cmd = set_company_details("Daybook Trading BV");
    cmd.email = Some("sales@daybook.example".into());
    given(C, [details()])
        .when(cmd.into())
        .then([CompanyDetailsChanged {
            email: Some("sales@daybook.example".into()),
            ..details()
        }]);
}

#[test]
fn another_id_is_no_company_record() {
    let mut cmd = set_company_details("Daybook Trading BV");
    cmd.company_id = CompanyId(id(7));
    given_nothing(C)
        .when(cmd.into())
        .then_err(DomainError::NotFound {
            kind: RecordKind::Company,
            id: id(7),
        });
}

#[test]
fn the_name_is_required() {
    given_nothing(C)
        .when(set_company_details("  ").into())
        .then_err(DomainError::Required { field: "name" });
}

#[test]
fn the_address_needs_street_city_and_country() {
    let mut cmd = set_company_details("Daybook Trading BV");
    cmd.address.city = String::new();
    given_nothing(C)
        .when(cmd.into())
        .then_err(DomainError::Required {
            field: "address.city",
        });
}

#[test]
fn a_bank_account_holds_letters_digits_and_spaces_only() {
    let mut cmd = set_company_details("Daybook Trading BV");
    cmd.bank_account = Some("NL91-ABNA".into());
    given_nothing(C)
        .when(cmd.into())
        .then_err(DomainError::InvalidCharacter {
            field: "bank_account",
            character: '-',
        });
}

#[test]
fn a_bad_email_is_refused() {
    let mut cmd = set_company_details("Daybook Trading BV");
    cmd.email = Some("sales at daybook".into());
    given_nothing(C)
        .when(cmd.into())
        .then_err(DomainError::InvalidEmail {
            email: "sales at daybook".into(),
        });
}

#[test]
fn a_company_command_on_another_kind_of_record_is_unknown() {
    given_nothing(StreamType::Product)
        .when(set_company_details("X").into())
        .then_err(DomainError::NotFound {
            kind: RecordKind::Company,
            id: CompanyId::ACCOUNT.0,
        });
}
