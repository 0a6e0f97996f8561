//! The Company aggregate: the account's own details, printed on every document. One
//! record per account, at [`CompanyId::ACCOUNT`]; set by one command with full values,
//! so it syncs and has a history like any record.

use serde::{Deserialize, Serialize};

use crate::command::{self, CompanyCommand};
use crate::customer::email;
use crate::error::DomainError;
use crate::event::*;
use crate::facts::FactNeeds;
use crate::ids::CompanyId;
use crate::logo::Logo;
use crate::validate::{self, optional, required};
use crate::values::{Address, RecordKind};

/// The company's details, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Company {
    /// Name.
    pub name: String,
    /// Address.
    pub address: Address,
    /// VAT number.
    pub vat_number: Option<String>,
    /// Bank account (IBAN).
    pub bank_account: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// The logo documents print, if one was set.
    #[serde(default)]
    pub logo: Option<Logo>,
}

/// Folds one event into the state. Total and logic-free.
pub fn apply(state: &mut Option<Company>, event: &Event) {
    match event {
        Event::CompanyDetailsChanged(e) => {
            let logo = state.take().and_then(|s| s.logo);
            *state = Some(Company {
                name: e.name.clone(),
                address: e.address.clone(),
                vat_number: e.vat_number.clone(),
                bank_account: e.bank_account.clone(),
                email: e.email.clone(),
                phone: e.phone.clone(),
                logo,
            });
        }
        Event::CompanyLogoChanged(e) => {
            if let Some(s) = state {
                s.logo = e.logo.clone();
            }
        }
        _ => {}
    }
}

/// The facts a company command needs: none.
pub fn needs(_cmd: CompanyCommand<'_>) -> FactNeeds {
    FactNeeds::default()
}

/// An IBAN-like account: letters, digits and spaces, at most 42 characters.
fn bank_account(value: Option<&str>) -> Result<Option<String>, DomainError> {
    let v = optional("bank_account", value, 42)?;
    if let Some(v) = &v
        && !v.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
    {
        return Err(DomainError::InvalidCharacter {
            field: "bank_account",
            character: v
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == ' '))
                .unwrap_or(' '),
        });
    }
    Ok(v)
}

/// All company rules.
pub fn decide(state: Option<&Company>, cmd: CompanyCommand<'_>) -> Result<Vec<Event>, DomainError> {
    match cmd {
        CompanyCommand::SetCompanyDetails(command::SetCompanyDetails {
            company_id,
            name,
            address,
            vat_number,
            bank_account: account,
            email: mail,
            phone,
        }) => {
            if *company_id != CompanyId::ACCOUNT {
                return Err(DomainError::NotFound {
                    kind: RecordKind::Company,
                    id: company_id.0,
                });
            }
            let event = CompanyDetailsChanged {
                name: required("name", name, 200)?,
                address: validate::address(address)?,
                vat_number: optional("vat_number", vat_number.as_deref(), 32)?,
                bank_account: bank_account(account.as_deref())?,
                email: email(mail.as_deref())?,
                phone: optional("phone", phone.as_deref(), 40)?,
            };
            let unchanged = state.is_some_and(|s| {
                s.name == event.name
                    && s.address == event.address
                    && s.vat_number == event.vat_number
                    && s.bank_account == event.bank_account
                    && s.email == event.email
                    && s.phone == event.phone
            });
            Ok(if unchanged {
                vec![]
            } else {
                vec![event.into()]
            })
        }
        CompanyCommand::SetCompanyLogo(command::SetCompanyLogo { company_id, logo }) => {
            if *company_id != CompanyId::ACCOUNT {
                return Err(DomainError::NotFound {
                    kind: RecordKind::Company,
                    id: company_id.0,
                });
            }
            // A logo belongs on a letterhead: with no name and address there is none.
            let Some(state) = state else {
                return Err(DomainError::CompanyDetailsMissing);
            };
            let logo = logo
                .as_deref()
                .map(Logo::parse)
                .transpose()
                .map_err(|problem| DomainError::InvalidLogo { problem })?;
            Ok(if state.logo == logo {
                vec![]
            } else {
                vec![CompanyLogoChanged { logo }.into()]
            })
        }
    }
}
