//! A customer's address labels are unique (case and surrounding blanks aside).

use daybook_domain::event::*;
use daybook_domain::{
    AddCustomerAddress, Address, AddressId, ChangeCustomerAddress, Command, DomainError, StreamType,
};
use daybook_testkit::{address, register_customer};

use crate::harness::{given, id};

const C: StreamType = StreamType::Customer;

fn customer() -> daybook_domain::CustomerId {
    id(0xC1)
}

fn registered() -> Event {
    let r = register_customer(customer(), "C-1", "Noord BV");
    CustomerRegistered {
        number: r.number,
        kind: r.kind,
        name: r.name,
        vat_number: None,
        email: None,
        currency: r.currency,
        spending_limit: None,
    }
    .into()
}

fn added(n: u128, label: &str) -> Event {
    CustomerAddressAdded {
        address_id: id(n),
        address: address(label),
    }
    .into()
}

fn labelled(label: &str) -> Address {
    Address {
        label: label.into(),
        ..address("x")
    }
}

#[test]
fn a_second_address_with_a_used_label_is_refused() {
    let add = |n: u128, label: &str| {
        Command::AddCustomerAddress(AddCustomerAddress {
            customer_id: customer(),
            address_id: id::<AddressId>(n),
            address: labelled(label),
        })
    };
    given(C, [registered(), added(0xA1, "Head office")])
        .when(add(0xA2, " head OFFICE "))
        .then_err(DomainError::DuplicateAddressLabel {
            label: "head OFFICE".into(),
        });
    given(C, [registered(), added(0xA1, "Head office")])
        .when(add(0xA2, "Warehouse"))
        .then([CustomerAddressAdded {
            address_id: id(0xA2),
            address: labelled("Warehouse"),
        }]);
}

#[test]
fn an_address_keeps_its_own_label_and_cannot_take_another_ones() {
    let change = |n: u128, label: &str| {
        Command::ChangeCustomerAddress(ChangeCustomerAddress {
            customer_id: customer(),
            address_id: id::<AddressId>(n),
            address: Address {
                street: "Elsewhere 2".into(),
                ..labelled(label)
            },
        })
    };
    let given_two = || {
        given(
            C,
            [
                registered(),
                added(0xA1, "Head office"),
                added(0xA2, "Warehouse"),
            ],
        )
    };
    given_two()
        .when(change(0xA2, "HEAD OFFICE"))
        .then_err(DomainError::DuplicateAddressLabel {
            label: "HEAD OFFICE".into(),
        });
    given_two()
        .when(change(0xA2, "Warehouse"))
        .then([CustomerAddressChanged {
            address_id: id(0xA2),
            address: Address {
                street: "Elsewhere 2".into(),
                ..labelled("Warehouse")
            },
        }]);
}
