//! Typed identifiers. Every record is addressed by a UUID (v7 when minted by us),
//! wrapped in a newtype so an order id can never be passed where a customer id is due.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered (UUIDv7) id. Only edges mint ids; `decide` never does.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self(Uuid::nil())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id_type!(
    /// A customer's stream id.
    CustomerId
);
id_type!(
    /// A product's stream id.
    ProductId
);
id_type!(
    /// A sales order's stream id.
    OrderId
);
id_type!(
    /// The account's own company record (its details for documents). There is one per
    /// account, always at [`CompanyId::ACCOUNT`], so devices that set it offline write
    /// to the same record.
    CompanyId
);
id_type!(
    /// A line within one order; unique within the order.
    LineId
);
id_type!(
    /// An address within one customer.
    AddressId
);
id_type!(
    /// The delivery document created when an order is delivered.
    DeliveryId
);
id_type!(
    /// The invoice document created when an order is invoiced.
    InvoiceId
);

impl CompanyId {
    /// The one company record of an account.
    pub const ACCOUNT: CompanyId =
        CompanyId(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_c0a1_c0de));
}

/// The id of the `index`-th event produced by a command.
///
/// Derived, not random, so re-running the same command on the same state yields
/// byte-identical events (sync relies on this), while staying a valid, time-ordered
/// UUIDv7: the timestamp is the command's, the random bits come from the command id.
pub fn event_id(command_id: Uuid, issued_at_ms: u64, index: u16) -> Uuid {
    let src = command_id.as_bytes();
    let mut rand = [0u8; 10];
    rand.copy_from_slice(&src[6..16]);
    let [hi, lo] = index.to_be_bytes();
    rand[8] ^= hi;
    rand[9] ^= lo;
    uuid::Builder::from_unix_timestamp_millis(issued_at_ms, &rand).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_deterministic_unique_and_v7() {
        let cmd = Uuid::now_v7();
        let a = event_id(cmd, 1_700_000_000_000, 0);
        let b = event_id(cmd, 1_700_000_000_000, 1);
        assert_eq!(a, event_id(cmd, 1_700_000_000_000, 0));
        assert_ne!(a, b);
        assert_eq!(a.get_version_num(), 7);
        assert_eq!(b.get_version_num(), 7);
    }
}
