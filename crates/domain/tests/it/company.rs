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

// The logo.

use daybook_domain::{ImageFormat, Logo, LogoProblem};
use daybook_testkit::{TINY_PNG, set_company_logo};

const JPEG: &[u8] = include_bytes!("../fixtures/images/logo.jpg");

fn tiny_logo() -> Logo {
    Logo {
        format: ImageFormat::Png,
        width: 4,
        height: 2,
        bytes: 73,
        data: "iVBORw0KGgoAAAANSUhEUgAAAAQAAAACCAIAAADwyuo0AAAAEElEQVR42mOQ9bsBRwzIHAB9egoZks/waQAAAABJRU5ErkJggg==".into(),
    }
}

#[test]
fn setting_a_logo_records_what_was_read_off_the_image() {
    let state = given(C, [details()])
        .when(set_company_logo(Some(TINY_PNG)).into())
        .then([CompanyLogoChanged {
            logo: Some(tiny_logo()),
        }]);
    let Aggregate::Company(Some(c)) = state else {
        panic!("no company")
    };
    assert_eq!(c.logo, Some(tiny_logo()));
    assert_eq!(tiny_logo().describe(), "PNG, 4 × 2 px, 1 KB");
}

#[test]
fn a_jpeg_is_a_logo_too() {
    let logo = Logo::from_image(JPEG).expect("a JPEG");
    assert_eq!(
        (logo.format, logo.width, logo.height, logo.bytes as usize),
        (ImageFormat::Jpeg, 120, 40, JPEG.len())
    );
    assert_eq!(logo.image(), Ok(JPEG.to_vec()));
    given(C, [details()])
        .when(set_company_logo(Some(JPEG)).into())
        .then([CompanyLogoChanged { logo: Some(logo) }]);
}

#[test]
fn the_same_logo_again_records_nothing() {
    given(
        C,
        [
            Event::from(details()),
            CompanyLogoChanged {
                logo: Some(tiny_logo()),
            }
            .into(),
        ],
    )
    .when(set_company_logo(Some(TINY_PNG)).into())
    .then_nothing();
}

#[test]
fn removing_the_logo_records_none_and_removing_none_records_nothing() {
    given(
        C,
        [
            Event::from(details()),
            CompanyLogoChanged {
                logo: Some(tiny_logo()),
            }
            .into(),
        ],
    )
    .when(set_company_logo(None).into())
    .then([CompanyLogoChanged { logo: None }]);
    given(C, [details()])
        .when(set_company_logo(None).into())
        .then_nothing();
}

#[test]
fn changing_the_details_keeps_the_logo() {
    let mut changed = details();
    changed.name = "Daybook Trading NV".into();
    let state = Aggregate::fold(
        C,
        &[
            details().into(),
            CompanyLogoChanged {
                logo: Some(tiny_logo()),
            }
            .into(),
            changed.into(),
        ],
    );
    let Aggregate::Company(Some(c)) = state else {
        panic!("no company")
    };
    assert_eq!(c.name, "Daybook Trading NV");
    assert_eq!(c.logo, Some(tiny_logo()));
}

#[test]
fn a_logo_needs_the_details_first() {
    given_nothing(C)
        .when(set_company_logo(Some(TINY_PNG)).into())
        .then_err(DomainError::CompanyDetailsMissing);
}

#[test]
fn a_file_that_is_no_png_or_jpeg_is_refused() {
    given(C, [details()])
        .when(set_company_logo(Some(b"GIF89a not welcome here")).into())
        .then_err(DomainError::InvalidLogo {
            problem: LogoProblem::NotAnImage,
        });
    // A PNG cut off before its size.
    given(C, [details()])
        .when(set_company_logo(Some(&TINY_PNG[..12])).into())
        .then_err(DomainError::InvalidLogo {
            problem: LogoProblem::NotAnImage,
        });
}

#[test]
fn text_that_is_not_base64_is_refused() {
    let mut cmd = set_company_logo(None);
    cmd.logo = Some("not base64!".into());
    given(C, [details()])
        .when(cmd.into())
        .then_err(DomainError::InvalidLogo {
            problem: LogoProblem::NotBase64,
        });
}

#[test]
fn a_logo_over_256_kb_is_refused() {
    let mut big = TINY_PNG.to_vec();
    big.resize(256 * 1024 + 1, 0);
    given(C, [details()])
        .when(set_company_logo(Some(&big)).into())
        .then_err(DomainError::InvalidLogo {
            problem: LogoProblem::TooLarge { bytes: 262_145 },
        });
    assert_eq!(
        DomainError::InvalidLogo {
            problem: LogoProblem::TooLarge { bytes: 262_145 }
        }
        .to_string(),
        "the logo is 257 KB; at most 256 KB fits"
    );
}

#[test]
fn a_logo_over_4096_pixels_a_side_is_refused() {
    // The header says 5,000 x 2 (imagesize reads only the header).
    let mut wide = TINY_PNG.to_vec();
    wide[16..20].copy_from_slice(&5000u32.to_be_bytes());
    given(C, [details()])
        .when(set_company_logo(Some(&wide)).into())
        .then_err(DomainError::InvalidLogo {
            problem: LogoProblem::TooManyPixels {
                width: 5000,
                height: 2,
            },
        });
}

#[test]
fn a_logo_for_another_id_is_no_company_record() {
    let mut cmd = set_company_logo(Some(TINY_PNG));
    cmd.company_id = CompanyId(id(7));
    given(C, [details()])
        .when(cmd.into())
        .then_err(DomainError::NotFound {
            kind: RecordKind::Company,
            id: id(7),
        });
}
