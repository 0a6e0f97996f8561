//! Command builders: each returns the command struct with every field that does not
//! identify the record at a plain default, so a test names only what it is about and
//! adjusts the rest with struct update syntax. `.into()` makes a `Command` of it.
//!
//! The builders take every id the command creates: they mint nothing, so a test with
//! fixed ids stays fixed ([`crate::id`]); pass `CustomerId::new()` and the like for
//! fresh ones.

use daybook_domain::{
    AddOrderLine, ChangeOrderLine, CreateOrder, RegisterCustomer, RegisterProduct,
    SetCompanyDetails, SetCompanyLogo, UpdateCustomer, UpdateProduct,
};
use daybook_domain::{
    Address, CompanyId, Currency, CustomerId, CustomerKind, LineId, Money, OrderId, ProductId,
    VatClass,
};

/// An organisation `name` with customer number `number`: EUR, no VAT number, no
/// e-mail, no spending limit.
pub fn register_customer(customer_id: CustomerId, number: &str, name: &str) -> RegisterCustomer {
    RegisterCustomer {
        customer_id,
        number: number.into(),
        kind: CustomerKind::Organisation,
        name: name.into(),
        vat_number: None,
        email: None,
        currency: Currency::EUR,
        spending_limit: None,
    }
}

/// New details of a customer: an organisation `name`, no VAT number, no e-mail.
pub fn update_customer(customer_id: CustomerId, name: &str) -> UpdateCustomer {
    UpdateCustomer {
        customer_id,
        kind: CustomerKind::Organisation,
        name: name.into(),
        vat_number: None,
        email: None,
    }
}

/// An address labelled `label`: Main street 1, 1234 AB Amsterdam, NL.
pub fn address(label: &str) -> Address {
    Address {
        label: label.into(),
        street: "Main street 1".into(),
        postal_code: "1234 AB".into(),
        city: "Amsterdam".into(),
        country: "NL".into(),
    }
}

/// Product `code` at `unit_price`, standard VAT.
pub fn register_product(
    product_id: ProductId,
    code: &str,
    description: &str,
    unit_price: Money,
) -> RegisterProduct {
    RegisterProduct {
        product_id,
        code: code.into(),
        description: description.into(),
        unit_price,
        vat_class: VatClass::Standard,
    }
}

/// New details of a product: `description` at `unit_price`, standard VAT.
pub fn update_product(
    product_id: ProductId,
    description: &str,
    unit_price: Money,
) -> UpdateProduct {
    UpdateProduct {
        product_id,
        description: description.into(),
        unit_price,
        vat_class: VatClass::Standard,
    }
}

/// A draft order `number` for a customer.
pub fn create_order(order_id: OrderId, number: &str, customer_id: CustomerId) -> CreateOrder {
    CreateOrder {
        order_id,
        number: number.into(),
        customer_id,
    }
}

/// `quantity` of a product at the catalogue's price and description, no discount.
pub fn add_order_line(
    order_id: OrderId,
    line_id: LineId,
    product_id: ProductId,
    quantity: i64,
) -> AddOrderLine {
    AddOrderLine {
        order_id,
        line_id,
        product_id,
        quantity,
        unit_price: None,
        discount_bp: 0,
        description: None,
    }
}

/// A line's new quantity and price, no discount.
pub fn change_order_line(
    order_id: OrderId,
    line_id: LineId,
    quantity: i64,
    unit_price: Money,
) -> ChangeOrderLine {
    ChangeOrderLine {
        order_id,
        line_id,
        quantity,
        unit_price,
        discount_bp: 0,
        seen: None,
    }
}

/// A 4 x 2 pixel PNG, the smallest logo the tests set.
pub const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xf0, 0xca, 0xea,
    0x34, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x90, 0xf5, 0xbb, 0x01,
    0x47, 0x0c, 0xc8, 0x1c, 0x00, 0x7d, 0x7a, 0x0a, 0x19, 0x92, 0xcf, 0xf0, 0x69, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Sets the logo to `image` (a PNG or JPEG file's bytes), or removes it.
pub fn set_company_logo(image: Option<&[u8]>) -> SetCompanyLogo {
    use base64::Engine as _;
    SetCompanyLogo {
        company_id: CompanyId::ACCOUNT,
        logo: image.map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
    }
}

/// The company's details: `name` at Herengracht 100, 1015 BS Amsterdam, NL, with a VAT
/// number and a bank account, no e-mail or telephone.
pub fn set_company_details(name: &str) -> SetCompanyDetails {
    SetCompanyDetails {
        company_id: CompanyId::ACCOUNT,
        name: name.into(),
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
