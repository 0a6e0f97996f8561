//! `daybook company ...`: the company's own details, as documents print them.

use clap::Subcommand;
use std::path::PathBuf;

use daybook_app::AppError;
use daybook_domain::{
    Address, Command, Company, CompanyId, DomainError, Logo, SetCompanyDetails, SetCompanyLogo,
};

use super::{blank_is_none, run};
use crate::read::show_company;
use crate::{Ctx, InputError};

// Parsed once per run: the size of the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum CompanyCmd {
    /// Set the company's details (only what is given; an empty value clears an
    /// optional one). The first time, --name, --street, --postal-code, --city and
    /// --country are needed.
    Set {
        /// The name documents print
        #[arg(long)]
        name: Option<String>,
        /// Street and number
        #[arg(long)]
        street: Option<String>,
        /// Postal code
        #[arg(long)]
        postal_code: Option<String>,
        /// City
        #[arg(long)]
        city: Option<String>,
        /// Country code, e.g. NL
        #[arg(long)]
        country: Option<String>,
        /// VAT number
        #[arg(long)]
        vat: Option<String>,
        /// Bank account (IBAN)
        #[arg(long)]
        iban: Option<String>,
        /// E-mail for customers
        #[arg(long)]
        email: Option<String>,
        /// Telephone
        #[arg(long)]
        phone: Option<String>,
    },
    /// Set the logo documents print at the top of every page (a PNG or JPEG file, at
    /// most 256 KB), or remove it with --remove
    Logo {
        /// The image file
        #[arg(required_unless_present = "remove", conflicts_with = "remove")]
        file: Option<PathBuf>,
        /// Remove the logo
        #[arg(long)]
        remove: bool,
    },
    /// The company's details
    Show,
}

/// `daybook company logo FILE | --remove`. The file is checked as the domain checks
/// it and then drawn once, so an image the PDF writer cannot read is refused here
/// rather than left out of every document later.
fn logo(ctx: &mut Ctx, file: Option<PathBuf>) -> anyhow::Result<()> {
    let logo = match file {
        None => None,
        Some(path) => {
            let bytes = std::fs::read(&path)
                .map_err(|e| InputError::new(format!("cannot read {}: {e}", path.display())))?;
            let logo = daybook_documents::read_logo(&bytes)
                .map_err(|problem| AppError::Domain(DomainError::InvalidLogo { problem }))?;
            Some(logo)
        }
    };
    let what = logo.as_ref().map(Logo::describe);
    let cmd = SetCompanyLogo {
        company_id: CompanyId::ACCOUNT,
        logo: logo.map(|l| l.data),
    };
    run(
        ctx,
        Command::SetCompanyLogo(cmd),
        None,
        None,
        |_| match what {
            Some(w) => format!("logo set ({w})"),
            None => "logo removed".to_string(),
        },
    )
}

pub fn company(ctx: &mut Ctx, cmd: CompanyCmd) -> anyhow::Result<()> {
    match cmd {
        CompanyCmd::Show => show_company(ctx),
        CompanyCmd::Logo { file, remove: _ } => logo(ctx, file),
        CompanyCmd::Set {
            name,
            street,
            postal_code,
            city,
            country,
            vat,
            iban,
            email,
            phone,
        } => {
            let now = ctx.db.read().company()?;
            let need = |given: Option<String>, had: Option<&str>, flag: &str| {
                given.or_else(|| had.map(str::to_string)).ok_or_else(|| {
                    InputError::new(format!(
                        "the company's details are not set yet: give --{flag}"
                    ))
                })
            };
            let had = now.as_ref();
            let address = had.map(|c| &c.address);
            let optional = |given: Option<String>, had: Option<&String>| match given {
                Some(v) => blank_is_none(v),
                None => had.cloned(),
            };
            let cmd = SetCompanyDetails {
                company_id: CompanyId::ACCOUNT,
                name: need(name, had.map(|c| c.name.as_str()), "name")?,
                address: Address {
                    label: String::new(),
                    street: need(street, address.map(|a| a.street.as_str()), "street")?,
                    postal_code: need(
                        postal_code,
                        address.map(|a| a.postal_code.as_str()),
                        "postal-code",
                    )?,
                    city: need(city, address.map(|a| a.city.as_str()), "city")?,
                    country: need(country, address.map(|a| a.country.as_str()), "country")?,
                },
                vat_number: optional(vat, had.and_then(|c: &Company| c.vat_number.as_ref())),
                bank_account: optional(iban, had.and_then(|c| c.bank_account.as_ref())),
                email: optional(email, had.and_then(|c| c.email.as_ref())),
                phone: optional(phone, had.and_then(|c| c.phone.as_ref())),
            };
            run(ctx, Command::SetCompanyDetails(cmd), None, None, |_| {
                "company details set".to_string()
            })
        }
    }
}
