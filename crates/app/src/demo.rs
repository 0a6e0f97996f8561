//! Realistic demo data, entered through real commands: customers, products and a year
//! of sales orders, so every screen (lists, history, timeline, dashboard) has
//! something to show.
//!
//! **Invariant:** nothing here writes a table; every record is made by a
//! [`CommandEnvelope`] going through [`Daybook::execute_batch`], exactly as a user's
//! command would. Commands the domain refuses (a spending limit reached, a blocked
//! customer) stay refused and are counted, as they would be in real life.
//!
//! The data is a pure function of the seed and the end of the period: a small PRNG of
//! our own (splitmix64) picks every value, and ids are UUIDv7 built from the
//! command's time and PRNG bits, so the same seed gives byte-identical events.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Datelike, Utc, Weekday};
use daybook_domain::{
    AddCustomerAddress, AddOrderLine, BlockCustomer, CancelOrder, ChangeCustomerAddress,
    ChangeOrderLine, CreateOrder, DeliverOrder, DiscontinueProduct, InvoiceOrder, PlaceOrder,
    RegisterCustomer, RegisterProduct, ReinstateProduct, RemoveOrderLine, SetDeliveryAddress,
    SetOrderDetails, SetSpendingLimit, UnblockCustomer, UpdateCustomer, UpdateProduct,
};
use daybook_domain::{
    Address, AddressId, Command, CommandEnvelope, Currency, CustomerId, CustomerKind, DeliveryId,
    InvoiceId, LineId, Money, OrderId, ProductId, VatClass,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::NumberSeries;
use crate::error::AppError;
use crate::service::Daybook;

/// Commands per transaction: large enough to amortise the durable commit, small
/// enough that progress moves.
pub const BATCH_SIZE: usize = 500;

/// Days of history the demo data spans.
pub const DAYS: i64 = 365;

/// What [`generate`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoReport {
    /// The seed used.
    pub seed: u64,
    /// Customers registered.
    pub customers: usize,
    /// Products registered.
    pub products: usize,
    /// Orders created.
    pub orders: usize,
    /// Commands given.
    pub commands: usize,
    /// Commands the domain accepted.
    pub accepted: usize,
    /// Commands refused, total.
    pub refused: usize,
    /// Refusals by error code (e.g. `spending_limit_exceeded`).
    pub refusals: BTreeMap<String, usize>,
    /// Events written.
    pub events: usize,
    /// Orders per status at the end.
    pub statuses: BTreeMap<String, u64>,
    /// First command time.
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// Wall time in milliseconds (the only field that differs between equal runs).
    pub millis: u128,
}

/// Generates demo data ending at the start of the current UTC day: `orders` orders
/// over the past year, with customers (about one per 20 orders, at least 5) and
/// products (about one per 10 orders, at least 10). `progress(done, total)` is called
/// as orders are written. The same seed on the same day gives the same data.
///
/// Refuses a Daybook that already has events: demo numbers and codes would collide
/// with real ones.
pub fn generate(
    db: &mut Daybook,
    orders: usize,
    seed: u64,
    progress: impl FnMut(usize, usize),
) -> Result<DemoReport, AppError> {
    let today = Utc::now().date_naive();
    let end = today
        .and_hms_opt(0, 0, 0)
        .map_or_else(Utc::now, |t| t.and_utc());
    generate_until(db, orders, seed, end, progress)
}

/// As [`generate`], with the end of the period given: the same seed and end always
/// give byte-identical events.
pub fn generate_until(
    db: &mut Daybook,
    orders: usize,
    seed: u64,
    end: DateTime<Utc>,
    mut progress: impl FnMut(usize, usize),
) -> Result<DemoReport, AppError> {
    let started = Instant::now();
    let existing: i64 = db
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
    if existing > 0 {
        return Err(AppError::invalid(
            Some("data"),
            format!(
                "demo data goes into an empty Daybook; this one already has {existing} events \
                 (use another data directory)"
            ),
        ));
    }
    let customer_numbers = Numbers::start(db.next_number(NumberSeries::Customer)?);
    let order_numbers = Numbers::start(db.next_number(NumberSeries::Order)?);

    let mut g = Generator::new(seed, end, orders, customer_numbers, order_numbers);
    let mut runner = Runner::default();
    progress(0, orders);

    g.plan_catalogue();
    g.plan_customers();
    let order_times = g.order_times();
    for (i, &t) in order_times.iter().enumerate() {
        g.drain_until(t, db, &mut runner, &mut progress)?;
        g.plan_order(i, t);
    }
    g.drain_until(i64::MAX, db, &mut runner, &mut progress)?;
    g.finish(db, &mut runner, &mut progress)?;
    progress(orders, orders);

    let statuses = db
        .conn()
        .prepare("SELECT status, count(*) FROM p_orders GROUP BY status ORDER BY status")?
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?
        .collect::<Result<BTreeMap<_, _>, _>>()?;
    Ok(DemoReport {
        seed,
        customers: g.customers.len(),
        products: g.products.len(),
        orders,
        commands: runner.commands,
        accepted: runner.accepted,
        refused: runner.refused,
        refusals: runner.refusals,
        events: runner.events,
        statuses,
        from: millis_to_time(g.first_time.unwrap_or(g.start)),
        to: end,
        millis: started.elapsed().as_millis(),
    })
}

// ---------------------------------------------------------------------------
// Randomness

/// splitmix64: tiny, fast, and good enough for demo data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index in `0..n` skewed towards 0: a few customers order most.
    fn skewed(&mut self, n: usize) -> usize {
        let n = n as u64;
        self.below(n).min(self.below(n)).min(self.below(n)) as usize
    }

    /// A UUIDv7 with the given time and PRNG bits.
    fn uuid(&mut self, at_ms: i64) -> Uuid {
        let a = self.next_u64().to_le_bytes();
        let b = self.next_u64().to_le_bytes();
        let mut rand = [0u8; 10];
        rand[..8].copy_from_slice(&a);
        rand[8..].copy_from_slice(&b[..2]);
        uuid::Builder::from_unix_timestamp_millis(u64::try_from(at_ms).unwrap_or(0), &rand)
            .into_uuid()
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    fn letters(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'A' + self.below(26) as u8))
            .collect()
    }
}

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

fn millis_to_time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A number series continued from the first number `Daybook::next_number` gave:
/// `SO-00001` -> prefix `SO-`, width 5.
struct Numbers {
    prefix: String,
    width: usize,
    next: u64,
}

impl Numbers {
    fn start(first: String) -> Numbers {
        let digits = first.chars().rev().take_while(char::is_ascii_digit).count();
        let (prefix, num) = first.split_at(first.len() - digits);
        Numbers {
            prefix: prefix.to_string(),
            width: digits.max(1),
            next: num.parse().unwrap_or(1),
        }
    }

    fn take(&mut self) -> String {
        let s = format!("{}{:0w$}", self.prefix, self.next, w = self.width);
        self.next += 1;
        s
    }
}

// ---------------------------------------------------------------------------
// Vocabulary

const COMPANY_FIRST: &[&str] = &[
    "Van der Berg",
    "De Jong",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Dijkstra",
    "Janssen",
    "Thompson",
    "Harris",
    "Clarke",
    "Wright",
    "Walker",
    "Hughes",
    "Fletcher",
    "Morgan",
    "Noordzee",
    "Zonneveld",
    "Lindeboom",
    "Hollandia",
    "Kroon",
    "Oranjeboom",
    "Atlas",
    "Northwind",
    "Blue Harbour",
    "Greenfield",
    "Redwood",
    "Silverline",
    "Eastgate",
    "Kingsbridge",
    "Waterland",
    "Polder",
    "Duinzicht",
];

const COMPANY_TRADE: &[&str] = &[
    "Trading",
    "Logistics",
    "Installatietechniek",
    "Bouw",
    "Catering",
    "Kantoorartikelen",
    "Office Supplies",
    "Engineering",
    "Retail",
    "Horeca",
    "Techniek",
    "Consultancy",
    "Foods",
    "Distribution",
    "Interiors",
    "Print & Media",
    "Hospitality",
    "Facilities",
    "Groothandel",
    "Electronics",
];

const COMPANY_FORM_NL: &[&str] = &[
    "B.V.",
    "B.V.",
    "B.V.",
    "Holding B.V.",
    "& Zonen",
    "V.O.F.",
    "N.V.",
];
const COMPANY_FORM_BE: &[&str] = &["BV", "NV", "BVBA", "& Co"];
const COMPANY_FORM_GB: &[&str] = &["Ltd", "Ltd", "Group", "& Co", "LLP"];

const FIRST_NAMES: &[&str] = &[
    "Jan",
    "Sanne",
    "Pieter",
    "Emma",
    "Daan",
    "Lotte",
    "Thomas",
    "Sophie",
    "James",
    "Olivia",
    "Willem",
    "Fleur",
    "Oliver",
    "Charlotte",
    "Bram",
    "Anouk",
    "Ruben",
    "Isa",
    "Harry",
    "Amelia",
];

const LAST_NAMES: &[&str] = &[
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Bos",
    "van Dijk",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Evans",
    "Peeters",
    "Maes",
    "Claes",
];

#[derive(Clone, Copy)]
enum Country {
    Nl,
    Be,
    Gb,
}

/// City, postal-code stem, country.
const CITIES: &[(&str, &str, Country)] = &[
    ("Amsterdam", "10", Country::Nl),
    ("Amsterdam", "10", Country::Nl),
    ("Rotterdam", "30", Country::Nl),
    ("Rotterdam", "30", Country::Nl),
    ("Utrecht", "35", Country::Nl),
    ("Den Haag", "25", Country::Nl),
    ("Eindhoven", "56", Country::Nl),
    ("Groningen", "97", Country::Nl),
    ("Zwolle", "80", Country::Nl),
    ("Haarlem", "20", Country::Nl),
    ("Leiden", "23", Country::Nl),
    ("Maastricht", "62", Country::Nl),
    ("Nijmegen", "65", Country::Nl),
    ("Breda", "48", Country::Nl),
    ("Amersfoort", "38", Country::Nl),
    ("Antwerpen", "2000", Country::Be),
    ("Gent", "9000", Country::Be),
    ("Brussel", "1000", Country::Be),
    ("London", "EC1", Country::Gb),
    ("Manchester", "M1", Country::Gb),
    ("Bristol", "BS1", Country::Gb),
];

const STREETS_NL: &[&str] = &[
    "Keizersgracht",
    "Herengracht",
    "Stationsplein",
    "Kerkstraat",
    "Marktplein",
    "Industrieweg",
    "Havenweg",
    "Dorpsstraat",
    "Nieuwstraat",
    "Molenweg",
    "Parallelweg",
    "Oude Gracht",
    "Energieweg",
    "Handelsweg",
];
const STREETS_BE: &[&str] = &[
    "Meir",
    "Kouter",
    "Grote Markt",
    "Nijverheidsstraat",
    "Kerkstraat",
    "Stationsstraat",
];
const STREETS_GB: &[&str] = &[
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Mill Lane",
    "King Street",
    "Commercial Road",
];

/// A catalogue section: code prefix, VAT class, items (description, price in cents).
type Section = (&'static str, VatClass, &'static [(&'static str, i64)]);

const CATALOGUE: &[Section] = &[
    (
        "KAN",
        VatClass::Standard,
        &[
            ("Ballpoint pen, blue (box of 50)", 1250),
            ("A4 copier paper 80 g (5 reams)", 2495),
            ("Stapler, heavy duty", 1895),
            ("Lever arch file, 80 mm", 349),
            ("Whiteboard markers (set of 4)", 695),
            ("Desk organiser, bamboo", 2450),
            ("Sticky notes 76x76 (12 pads)", 895),
            ("Envelopes C4, self-seal (250)", 2195),
        ],
    ),
    (
        "MEU",
        VatClass::Standard,
        &[
            ("Ergonomic office chair", 34900),
            ("Height-adjustable desk 160x80", 59900),
            ("Filing cabinet, 3 drawers", 18900),
            ("Meeting table, oak 240 cm", 89000),
            ("Bookcase, 5 shelves", 14900),
            ("Monitor arm, double", 12900),
        ],
    ),
    (
        "KOF",
        VatClass::Reduced,
        &[
            ("Coffee beans, espresso blend 1 kg", 1895),
            ("Tea assortment (100 bags)", 995),
            ("Stroopwafels (box of 12 packs)", 2100),
            ("Orange juice 1 L (case of 6)", 1495),
            ("Organic milk 1 L (case of 12)", 1790),
            ("Biscuits assortment 1.5 kg", 1650),
        ],
    ),
    (
        "ICT",
        VatClass::Standard,
        &[
            ("27-inch monitor, USB-C", 28900),
            ("Wireless keyboard and mouse", 5995),
            ("Laptop docking station", 17900),
            ("Network switch, 24 ports", 21900),
            ("HDMI cable 2 m", 1295),
            ("Headset with noise cancelling", 11900),
            ("Label printer", 8995),
        ],
    ),
    (
        "BOE",
        VatClass::Reduced,
        &[
            ("Handbook of bookkeeping, 5th edition", 4950),
            ("Zakelijk Nederlands (textbook)", 3495),
            ("Project management pocket guide", 1995),
            ("VAT in practice 2024", 5900),
        ],
    ),
    (
        "SCH",
        VatClass::Standard,
        &[
            ("All-purpose cleaner 5 L", 1895),
            ("Paper towels (case of 24)", 3150),
            ("Hand soap refill 1 L", 595),
            ("Microfibre cloths (pack of 10)", 1250),
        ],
    ),
    (
        "VEI",
        VatClass::Standard,
        &[
            ("Safety helmet, EN 397", 1795),
            ("Hi-vis vest, yellow", 495),
            ("First aid kit, office", 3995),
            ("Fire extinguisher, foam 6 L", 7450),
        ],
    ),
    (
        "EXP",
        VatClass::Zero,
        &[
            ("Export shipping, pallet (outside EU)", 12500),
            ("Customs handling fee", 4500),
        ],
    ),
];

const VARIANTS: &[&str] = &[
    "black", "white", "grey", "blue", "large", "small", "eco", "premium", "XL", "compact",
];

const CANCEL_REASONS: &[&str] = &[
    "Customer changed their mind",
    "Duplicate order",
    "Out of stock",
    "Payment not received",
    "Klant heeft geannuleerd",
];

const BLOCK_REASONS: &[&str] = &[
    "Payment overdue",
    "Credit check failed",
    "Account under review",
    "Betalingsachterstand",
];

const NOTES: &[&str] = &[
    "Deliver to the back entrance",
    "Call before delivery",
    "Levering via de achteringang",
    "Graag tussen 9:00 en 12:00 leveren",
    "Leave at reception",
];

fn slug(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

// ---------------------------------------------------------------------------
// Planning

/// A command due at a time. `needs_placed` commands are skipped when the order's
/// `PlaceOrder` was refused (a refused order is not delivered).
struct Task {
    command: Command,
    needs_placed: Option<OrderId>,
}

struct DemoCustomer {
    id: CustomerId,
    registered_at: i64,
    address: AddressId,
}

struct DemoProduct {
    id: ProductId,
    /// Catalogue price when registered.
    price: i64,
    /// Not offered in `[from, until)`.
    off: Option<(i64, i64)>,
}

struct Generator {
    rng: Rng,
    start: i64,
    end: i64,
    orders: usize,
    customers: Vec<DemoCustomer>,
    products: Vec<DemoProduct>,
    customer_numbers: Numbers,
    order_numbers: Numbers,
    queue: BinaryHeap<Reverse<(i64, u64)>>,
    tasks: HashMap<u64, Task>,
    next_task: u64,
    first_time: Option<i64>,
    /// Commands whose order's `PlaceOrder` is in the unwritten batch.
    waiting: Vec<(i64, Task)>,
}

impl Generator {
    fn new(
        seed: u64,
        end: DateTime<Utc>,
        orders: usize,
        customer_numbers: Numbers,
        order_numbers: Numbers,
    ) -> Generator {
        let end = end.timestamp_millis();
        Generator {
            rng: Rng(seed),
            start: end - DAYS * DAY,
            end,
            orders,
            customers: Vec::new(),
            products: Vec::new(),
            customer_numbers,
            order_numbers,
            queue: BinaryHeap::new(),
            tasks: HashMap::new(),
            next_task: 0,
            first_time: None,
            waiting: Vec::new(),
        }
    }

    /// Queues a command for time `at`; commands after the end are not given (the
    /// future has not happened), so recent orders stay open.
    fn at(&mut self, at: i64, command: Command, needs_placed: Option<OrderId>) -> bool {
        if at >= self.end {
            return false;
        }
        let key = self.next_task;
        self.next_task += 1;
        self.queue.push(Reverse((at, key)));
        self.tasks.insert(
            key,
            Task {
                command,
                needs_placed,
            },
        );
        true
    }

    /// A business-hours time on a random day in `[from, to)`.
    fn office_time(&mut self, from: i64, to: i64) -> i64 {
        let days = ((to - from) / DAY).max(1);
        for _ in 0..8 {
            let day = from - from.rem_euclid(DAY) + self.rng.range(0, days - 1) * DAY;
            let weekend = DateTime::from_timestamp_millis(day)
                .is_some_and(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun));
            if weekend && !self.rng.chance(10) {
                continue;
            }
            let t = day + self.rng.range(8 * HOUR, 18 * HOUR);
            if t >= from && t < to {
                return t;
            }
        }
        from + self.rng.range(0, (to - from - 1).max(0))
    }

    fn plan_catalogue(&mut self) {
        let count = (self.orders / 10).max(10);
        let total_items: usize = CATALOGUE.iter().map(|(_, _, items)| items.len()).sum();
        let mut codes: HashMap<&str, u32> = HashMap::new();
        for i in 0..count {
            // Walk the catalogue item by item; later rounds are variants.
            let mut k = i % total_items;
            let round = i / total_items;
            let (prefix, vat, items) = CATALOGUE
                .iter()
                .find(|(_, _, items)| {
                    if k < items.len() {
                        true
                    } else {
                        k -= items.len();
                        false
                    }
                })
                .copied()
                .unwrap_or(CATALOGUE[0]);
            let (base, base_price) = items[k.min(items.len() - 1)];
            let description = if round == 0 {
                base.to_string()
            } else {
                let v = VARIANTS[(round - 1) % VARIANTS.len()];
                if round > VARIANTS.len() {
                    format!("{base} ({v}, series {})", round / VARIANTS.len() + 1)
                } else {
                    format!("{base} ({v})")
                }
            };
            let n = codes.entry(prefix).or_insert(0);
            *n += 1;
            let code = format!("{prefix}-{:04}", *n * 10);
            let price = (base_price * self.rng.range(80, 125) / 100 / 5 * 5).max(5);
            let at = self.start - 45 * DAY + self.rng.range(0, 14 * DAY);
            let id = ProductId(self.rng.uuid(at));
            self.at(
                at,
                Command::RegisterProduct(RegisterProduct {
                    product_id: id,
                    code,
                    description: description.clone(),
                    unit_price: Money(price),
                    vat_class: vat,
                }),
                None,
            );
            let mut off = None;
            if self.rng.chance(20) {
                // A price change during the year.
                let when = self.office_time(self.start, self.end);
                let new_price = price * self.rng.range(103, 112) / 100;
                self.at(
                    when,
                    Command::UpdateProduct(UpdateProduct {
                        product_id: id,
                        description: description.clone(),
                        unit_price: Money(new_price),
                        vat_class: vat,
                    }),
                    None,
                );
            }
            if self.rng.chance(6) || i == 7 {
                let from = self.office_time(self.start + 30 * DAY, self.end);
                let mut until = i64::MAX;
                self.at(
                    from,
                    Command::DiscontinueProduct(DiscontinueProduct { product_id: id }),
                    None,
                );
                if self.rng.chance(30) {
                    let back = from + self.rng.range(7, 60) * DAY;
                    if self.at(
                        back,
                        Command::ReinstateProduct(ReinstateProduct { product_id: id }),
                        None,
                    ) {
                        until = back;
                    }
                }
                off = Some((from, until));
            }
            self.products.push(DemoProduct { id, price, off });
        }
    }

    fn address(&mut self, country_hint: Option<usize>) -> (Address, usize) {
        let ci = country_hint.unwrap_or_else(|| self.rng.below(CITIES.len() as u64) as usize);
        let (city, stem, country) = CITIES[ci];
        let n = self.rng.range(1, 250);
        let (street, postal_code, country) = match country {
            Country::Nl => (
                format!("{} {n}", self.rng.pick(STREETS_NL)),
                format!("{stem}{} {}", self.rng.digits(2), self.rng.letters(2)),
                "NL",
            ),
            Country::Be => (
                format!("{} {n}", self.rng.pick(STREETS_BE)),
                stem.to_string(),
                "BE",
            ),
            Country::Gb => (
                format!("{n} {}", self.rng.pick(STREETS_GB)),
                format!("{stem} {}{}", self.rng.range(1, 9), self.rng.letters(2)),
                "GB",
            ),
        };
        (
            Address {
                label: String::new(),
                street,
                postal_code,
                city: city.to_string(),
                country: country.to_string(),
            },
            ci,
        )
    }

    fn plan_customers(&mut self) {
        let count = (self.orders / 20).max(5);
        let mut plans = Vec::with_capacity(count);
        for i in 0..count {
            // Most customers exist before the year starts; the rest arrive during it.
            let at = if i < 3 || self.rng.chance(60) {
                self.start - 30 * DAY + self.rng.range(0, 29 * DAY)
            } else {
                self.office_time(self.start, self.end - 30 * DAY)
            };
            plans.push(at);
        }
        plans.sort_unstable();
        for (i, at) in plans.into_iter().enumerate() {
            let id = CustomerId(self.rng.uuid(at));
            let (mut address, ci) = self.address(None);
            let country = CITIES[ci].2;
            let person = self.rng.chance(10);
            let (kind, name, vat_number, email) = if person {
                let first = *self.rng.pick(FIRST_NAMES);
                let last = *self.rng.pick(LAST_NAMES);
                (
                    CustomerKind::Person,
                    format!("{first} {last}"),
                    None,
                    Some(format!("{}.{}@example.com", slug(first), slug(last))),
                )
            } else {
                let form = match country {
                    Country::Nl => *self.rng.pick(COMPANY_FORM_NL),
                    Country::Be => *self.rng.pick(COMPANY_FORM_BE),
                    Country::Gb => *self.rng.pick(COMPANY_FORM_GB),
                };
                let name = format!(
                    "{} {} {form}",
                    self.rng.pick(COMPANY_FIRST),
                    self.rng.pick(COMPANY_TRADE)
                );
                let (vat, tld) = match country {
                    Country::Nl => (format!("NL{}B01", self.rng.digits(9)), "nl"),
                    Country::Be => (format!("BE0{}", self.rng.digits(9)), "be"),
                    Country::Gb => (format!("GB{}", self.rng.digits(9)), "co.uk"),
                };
                let mailbox = *self.rng.pick(&["info", "orders", "inkoop", "purchasing"]);
                let domain: String = slug(&name).chars().take(24).collect();
                (
                    CustomerKind::Organisation,
                    name,
                    Some(vat),
                    Some(format!("{mailbox}@{domain}.{tld}")),
                )
            };
            let spending_limit = self
                .rng
                .chance(15)
                .then(|| Money(self.rng.range(5, 50) * 50_000));
            let number = self.customer_numbers.take();
            self.at(
                at,
                Command::RegisterCustomer(RegisterCustomer {
                    customer_id: id,
                    number,
                    kind,
                    name: name.clone(),
                    vat_number: vat_number.clone(),
                    email,
                    currency: Currency::EUR,
                    spending_limit,
                }),
                None,
            );
            address.label = if person { "Home" } else { "Head office" }.to_string();
            let address_id = AddressId(self.rng.uuid(at + MINUTE));
            self.at(
                at + MINUTE,
                Command::AddCustomerAddress(AddCustomerAddress {
                    customer_id: id,
                    address_id,
                    address: address.clone(),
                }),
                None,
            );
            let from = at.max(self.start);
            if self.rng.chance(12) {
                // A second delivery address.
                let when = self.office_time(from, self.end);
                let (mut warehouse, _) = self.address(Some(ci));
                warehouse.label = "Warehouse".into();
                let aid = AddressId(self.rng.uuid(when));
                self.at(
                    when,
                    Command::AddCustomerAddress(AddCustomerAddress {
                        customer_id: id,
                        address_id: aid,
                        address: warehouse,
                    }),
                    None,
                );
            }
            if self.rng.chance(6) {
                // The head office moved down the street.
                let when = self.office_time(from, self.end);
                let mut moved = address.clone();
                moved.street = match country {
                    Country::Gb => {
                        format!("{} {}", self.rng.range(1, 250), self.rng.pick(STREETS_GB))
                    }
                    Country::Be => {
                        format!("{} {}", self.rng.pick(STREETS_BE), self.rng.range(1, 250))
                    }
                    Country::Nl => {
                        format!("{} {}", self.rng.pick(STREETS_NL), self.rng.range(1, 250))
                    }
                };
                self.at(
                    when,
                    Command::ChangeCustomerAddress(ChangeCustomerAddress {
                        customer_id: id,
                        address_id,
                        address: moved,
                    }),
                    None,
                );
            }
            if !person && self.rng.chance(10) {
                let when = self.office_time(from, self.end);
                self.at(
                    when,
                    Command::UpdateCustomer(UpdateCustomer {
                        customer_id: id,
                        kind,
                        name: name.clone(),
                        vat_number: vat_number.clone(),
                        email: Some(format!("finance@{}.example", slug(&name))),
                    }),
                    None,
                );
            }
            if spending_limit.is_some() && self.rng.chance(30) {
                let when = self.office_time(from, self.end);
                let limit = Money(self.rng.range(10, 80) * 50_000);
                self.at(
                    when,
                    Command::SetSpendingLimit(SetSpendingLimit {
                        customer_id: id,
                        limit: Some(limit),
                    }),
                    None,
                );
            }
            if i % 25 == 4 || self.rng.chance(2) {
                let when = self.office_time(from + 30 * DAY, self.end);
                let reason = (*self.rng.pick(BLOCK_REASONS)).to_string();
                self.at(
                    when,
                    Command::BlockCustomer(BlockCustomer {
                        customer_id: id,
                        reason,
                    }),
                    None,
                );
                if self.rng.chance(40) {
                    let back = when + self.rng.range(3, 40) * DAY;
                    self.at(
                        back,
                        Command::UnblockCustomer(UnblockCustomer { customer_id: id }),
                        None,
                    );
                }
            }
            self.customers.push(DemoCustomer {
                id,
                registered_at: at,
                address: address_id,
            });
        }
    }

    /// Creation times of the orders, ascending, in office hours over the period.
    fn order_times(&mut self) -> Vec<i64> {
        let mut times: Vec<i64> = (0..self.orders)
            .map(|_| self.office_time(self.start, self.end))
            .collect();
        times.sort_unstable();
        times
    }

    fn plan_order(&mut self, _index: usize, t: i64) {
        // Customers registered (with their address) an hour before the order.
        let known = self
            .customers
            .partition_point(|c| c.registered_at + HOUR <= t)
            .max(1);
        let c = self.rng.skewed(known);
        let (customer_id, address_id) = (self.customers[c].id, self.customers[c].address);
        let order_id = OrderId(self.rng.uuid(t));
        let number = self.order_numbers.take();
        self.first_time = Some(self.first_time.map_or(t, |f| f.min(t)));
        self.at(
            t,
            Command::CreateOrder(CreateOrder {
                order_id,
                number,
                customer_id,
            }),
            None,
        );

        let mut now = t;
        let lines = if self.rng.chance(35) {
            1 + self.rng.below(3)
        } else {
            1 + self.rng.below(12)
        };
        let mut line_ids = Vec::new();
        for _ in 0..lines {
            now += self.rng.range(15, 120) * SECOND;
            let offered: Vec<usize> = (0..8)
                .map(|_| self.rng.below(self.products.len() as u64) as usize)
                .filter(|&p| !matches!(self.products[p].off, Some((a, b)) if now >= a && now < b))
                .collect();
            let Some(&p) = offered.first() else { continue };
            let product = &self.products[p];
            let (product_id, price) = (product.id, product.price);
            // Chairs by the few, pens by the box.
            let quantity = match (price, self.rng.below(10)) {
                (50_000.., _) => self.rng.range(1, 3),
                (10_000.., 0..=7) => self.rng.range(1, 4),
                (10_000.., _) => self.rng.range(5, 12),
                (_, 0..=5) => self.rng.range(1, 5),
                (_, 6..=8) => self.rng.range(5, 25),
                _ => self.rng.range(25, 120),
            };
            let unit_price = self
                .rng
                .chance(8)
                .then(|| Money(price * self.rng.range(85, 98) / 100));
            let discount_bp = if self.rng.chance(20) {
                *self.rng.pick(&[500, 1000, 1500, 2000, 2500])
            } else {
                0
            };
            let line_id = LineId(self.rng.uuid(now));
            line_ids.push((line_id, quantity, unit_price.unwrap_or(Money(price))));
            self.at(
                now,
                Command::AddOrderLine(AddOrderLine {
                    order_id,
                    line_id,
                    product_id,
                    quantity,
                    unit_price,
                    discount_bp,
                    description: None,
                }),
                None,
            );
        }
        if line_ids.len() > 1 && self.rng.chance(10) {
            now += self.rng.range(30, 300) * SECOND;
            let (line_id, _, _) = line_ids[self.rng.below(line_ids.len() as u64) as usize];
            self.at(
                now,
                Command::RemoveOrderLine(RemoveOrderLine { order_id, line_id }),
                None,
            );
            line_ids.retain(|l| l.0 != line_id);
        }
        if let Some(&(line_id, quantity, unit_price)) = line_ids.first()
            && self.rng.chance(10)
        {
            // A correction of the first line: the history shows old -> new.
            now += self.rng.range(30, 300) * SECOND;
            let quantity = quantity + self.rng.range(1, 10);
            let discount_bp = *self.rng.pick(&[0, 500, 1000]);
            self.at(
                now,
                Command::ChangeOrderLine(ChangeOrderLine {
                    order_id,
                    line_id,
                    quantity,
                    unit_price,
                    discount_bp,
                }),
                None,
            );
        }
        if self.rng.chance(70) {
            now += self.rng.range(10, 60) * SECOND;
            self.at(
                now,
                Command::SetDeliveryAddress(SetDeliveryAddress {
                    order_id,
                    address_id,
                }),
                None,
            );
        }
        if self.rng.chance(40) {
            now += self.rng.range(10, 60) * SECOND;
            let customer_reference = Some(format!("PO-{}", self.rng.digits(6)));
            let notes = self
                .rng
                .chance(20)
                .then(|| (*self.rng.pick(NOTES)).to_string());
            self.at(
                now,
                Command::SetOrderDetails(SetOrderDetails {
                    order_id,
                    customer_reference,
                    notes,
                }),
                None,
            );
        }

        // The order's fate.
        let fate = self.rng.below(100);
        let reason = |rng: &mut Rng| (*rng.pick(CANCEL_REASONS)).to_string();
        if fate < 4 {
            return; // a forgotten draft
        }
        if fate < 7 {
            let when = now + self.rng.range(1, 10) * DAY;
            let reason = reason(&mut self.rng);
            self.at(
                when,
                Command::CancelOrder(CancelOrder { order_id, reason }),
                None,
            );
            return;
        }
        // Placed the same day, sometimes the next.
        let placed = now
            + if self.rng.chance(80) {
                self.rng.range(1, 45) * MINUTE
            } else {
                self.rng.range(18, 30) * HOUR
            };
        if !self.at(placed, Command::PlaceOrder(PlaceOrder { order_id }), None) {
            return;
        }
        let needs = Some(order_id);
        if fate < 11 {
            let when = placed + self.rng.range(1, 5) * DAY;
            let reason = reason(&mut self.rng);
            self.at(
                when,
                Command::CancelOrder(CancelOrder { order_id, reason }),
                needs,
            );
            return;
        }
        if fate < 13 {
            return; // placed, waiting for stock
        }
        let delivered = placed + self.rng.range(1, 7) * DAY + self.rng.range(0, 8 * HOUR);
        let delivery_id = DeliveryId(self.rng.uuid(delivered));
        if !self.at(
            delivered,
            Command::DeliverOrder(DeliverOrder {
                order_id,
                delivery_id,
            }),
            needs,
        ) || fate < 16
        {
            return;
        }
        let invoiced = delivered + self.rng.range(0, 14) * DAY + self.rng.range(1, 6) * HOUR;
        let invoice_id = InvoiceId(self.rng.uuid(invoiced));
        self.at(
            invoiced,
            Command::InvoiceOrder(InvoiceOrder {
                order_id,
                invoice_id,
            }),
            needs,
        );
    }

    /// Gives every queued command due at or before `t`, in time order.
    fn drain_until(
        &mut self,
        t: i64,
        db: &mut Daybook,
        runner: &mut Runner,
        progress: &mut impl FnMut(usize, usize),
    ) -> Result<(), AppError> {
        while let Some(&Reverse((at, key))) = self.queue.peek() {
            if at > t {
                break;
            }
            self.queue.pop();
            let Some(task) = self.tasks.remove(&key) else {
                continue;
            };
            self.first_time = Some(self.first_time.map_or(at, |f| f.min(at)));
            if let Some(order) = task.needs_placed {
                // Its fate depends on a PlaceOrder not yet run: it waits for the batch
                // to be written (flushing now would make small runs slow).
                if runner.placing.contains(&order) {
                    self.waiting.push((at, task));
                    continue;
                }
                if runner.not_placed.contains(&order) {
                    continue;
                }
            }
            self.give(at, task.command, db, runner, progress)?;
        }
        Ok(())
    }

    /// Adds a command to the batch; after the batch is written, the commands that
    /// waited for it follow.
    fn give(
        &mut self,
        at: i64,
        command: Command,
        db: &mut Daybook,
        runner: &mut Runner,
        progress: &mut impl FnMut(usize, usize),
    ) -> Result<(), AppError> {
        let flushes = runner.flushes;
        let command_id = self.rng.uuid(at);
        runner.push(
            CommandEnvelope {
                command_id,
                issued_at: millis_to_time(at),
                command,
            },
            db,
            progress,
            self.orders,
        )?;
        if runner.flushes != flushes {
            self.give_waiting(db, runner, progress)?;
        }
        Ok(())
    }

    /// The commands that waited for their order's `PlaceOrder` to be written: given
    /// if it was accepted, dropped if it was refused.
    fn give_waiting(
        &mut self,
        db: &mut Daybook,
        runner: &mut Runner,
        progress: &mut impl FnMut(usize, usize),
    ) -> Result<(), AppError> {
        for (at, task) in std::mem::take(&mut self.waiting) {
            if task
                .needs_placed
                .is_some_and(|o| runner.not_placed.contains(&o))
            {
                continue;
            }
            let command_id = self.rng.uuid(at);
            runner.push(
                CommandEnvelope {
                    command_id,
                    issued_at: millis_to_time(at),
                    command: task.command,
                },
                db,
                progress,
                self.orders,
            )?;
        }
        Ok(())
    }

    /// Writes what is left, including the commands waiting for it.
    fn finish(
        &mut self,
        db: &mut Daybook,
        runner: &mut Runner,
        progress: &mut impl FnMut(usize, usize),
    ) -> Result<(), AppError> {
        while !runner.batch.is_empty() || !self.waiting.is_empty() {
            runner.flush(db, progress, self.orders)?;
            self.give_waiting(db, runner, progress)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Running

/// Collects commands into batches, runs them, and keeps the tally.
#[derive(Default)]
struct Runner {
    batch: Vec<CommandEnvelope>,
    /// Orders whose `PlaceOrder` is in the unrun batch.
    placing: HashSet<OrderId>,
    /// Orders whose `PlaceOrder` was refused.
    not_placed: HashSet<OrderId>,
    commands: usize,
    accepted: usize,
    refused: usize,
    refusals: BTreeMap<String, usize>,
    events: usize,
    orders_created: usize,
    /// Batches written so far.
    flushes: u64,
}

impl Runner {
    fn push(
        &mut self,
        env: CommandEnvelope,
        db: &mut Daybook,
        progress: &mut impl FnMut(usize, usize),
        total: usize,
    ) -> Result<(), AppError> {
        if let Command::PlaceOrder(PlaceOrder { order_id }) = &env.command {
            self.placing.insert(*order_id);
        }
        self.batch.push(env);
        if self.batch.len() >= BATCH_SIZE {
            self.flush(db, progress, total)?;
        }
        Ok(())
    }

    fn flush(
        &mut self,
        db: &mut Daybook,
        progress: &mut impl FnMut(usize, usize),
        total: usize,
    ) -> Result<(), AppError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let kinds: Vec<Option<(bool, OrderId)>> = batch
            .iter()
            .map(|e| match &e.command {
                Command::PlaceOrder(PlaceOrder { order_id }) => Some((true, *order_id)),
                Command::CreateOrder(CreateOrder { order_id, .. }) => Some((false, *order_id)),
                _ => None,
            })
            .collect();
        let results = db.execute_batch(batch)?;
        for (result, kind) in results.into_iter().zip(kinds) {
            self.commands += 1;
            match result {
                Ok(outcome) => {
                    self.accepted += 1;
                    self.events += outcome.events.len();
                    if let Some((false, _)) = kind {
                        self.orders_created += 1;
                    }
                }
                Err(e) => {
                    self.refused += 1;
                    *self.refusals.entry(e.body().code.to_string()).or_insert(0) += 1;
                    if let Some((true, order)) = kind {
                        self.not_placed.insert(order);
                    }
                }
            }
        }
        self.placing.clear();
        self.flushes += 1;
        progress(self.orders_created.min(total), total);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OpenOptions;
    use crate::query;
    use chrono::Duration;
    use daybook_store::read_all;

    fn db() -> Daybook {
        Daybook::open_in_memory(OpenOptions {
            user: Some("demo".into()),
            device: Some("test".into()),
            ..OpenOptions::default()
        })
        .unwrap()
    }

    fn end() -> DateTime<Utc> {
        "2025-06-01T00:00:00Z".parse().unwrap()
    }

    /// Every stored event, minus the commit time (wall clock).
    fn log(db: &Daybook) -> Vec<String> {
        read_all(db.conn(), 0, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|e| {
                format!(
                    "{} {} {} {} {} {}",
                    e.event_id,
                    e.stream_id,
                    e.revision,
                    e.metadata.issued_at.to_rfc3339(),
                    e.metadata.command_id,
                    serde_json::to_string(&e.event).unwrap()
                )
            })
            .collect()
    }

    #[test]
    fn same_seed_same_events() {
        let (mut a, mut b, mut c) = (db(), db(), db());
        let ra = generate_until(&mut a, 120, 7, end(), |_, _| {}).unwrap();
        let rb = generate_until(&mut b, 120, 7, end(), |_, _| {}).unwrap();
        generate_until(&mut c, 120, 8, end(), |_, _| {}).unwrap();
        assert_eq!(log(&a), log(&b));
        assert_ne!(log(&a), log(&c));
        assert_eq!(
            DemoReport { millis: 0, ..ra },
            DemoReport { millis: 0, ..rb }
        );
        assert_eq!(
            query::orders(a.conn(), &query::OrderQuery::default()).unwrap(),
            query::orders(b.conn(), &query::OrderQuery::default()).unwrap()
        );
    }

    #[test]
    fn counts_match_the_report_and_the_read_models() {
        let mut d = db();
        let mut calls = Vec::new();
        let r = generate_until(&mut d, 400, 42, end(), |done, total| {
            calls.push((done, total))
        })
        .unwrap();
        assert_eq!(r.orders, 400);
        assert_eq!(r.customers, 20);
        assert_eq!(r.products, 40);
        assert_eq!(r.accepted + r.refused, r.commands);
        assert_eq!(r.refusals.values().sum::<usize>(), r.refused);
        let stats = query::stats(d.conn()).unwrap();
        assert_eq!(stats.customers, 20);
        assert_eq!(stats.products, 40);
        assert_eq!(stats.orders, 400);
        assert_eq!(stats.events as usize, r.events);
        assert_eq!(r.statuses.values().sum::<u64>(), 400);
        // A mix of statuses, as on a real year.
        for s in ["draft", "placed", "delivered", "invoiced", "cancelled"] {
            assert!(
                r.statuses.get(s).copied().unwrap_or(0) > 0,
                "no {s} orders: {r:?}"
            );
        }
        assert!(r.statuses["invoiced"] > 200, "{r:?}");
        // Some customers blocked or limited, some products discontinued.
        let blocked: i64 = d
            .conn()
            .query_row("SELECT count(*) FROM p_customers WHERE blocked", [], |r| {
                r.get(0)
            })
            .unwrap();
        let discontinued: i64 = d
            .conn()
            .query_row(
                "SELECT count(*) FROM p_products WHERE discontinued",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let limited: i64 = d
            .conn()
            .query_row(
                "SELECT count(*) FROM p_customers WHERE spending_limit IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(blocked + discontinued > 0 && limited > 0);
        // History over the year, for the dashboard.
        let days: i64 = d
            .conn()
            .query_row("SELECT count(*) FROM p_daily WHERE orders > 0", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(days > 150, "{days} days with orders");
        assert!(r.from < end() - Duration::days(DAYS - 1));
        // Progress ends at the total and never goes back.
        assert_eq!(calls.last(), Some(&(400, 400)));
        assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
        // Numbers continue the app's series.
        assert_eq!(d.next_number(NumberSeries::Order).unwrap(), "SO-00401");
    }

    #[test]
    fn small_runs_work_and_refuse_a_used_daybook() {
        let mut d = db();
        let r = generate_until(&mut d, 0, 1, end(), |_, _| {}).unwrap();
        assert_eq!((r.customers, r.products, r.orders), (5, 10, 0));
        let again = generate_until(&mut d, 10, 1, end(), |_, _| {}).unwrap_err();
        assert!(matches!(again, AppError::InvalidInput { .. }), "{again:?}");
    }
}
