//! The demo data's vocabulary: company and person names, cities and streets of the
//! Netherlands, Belgium and Britain, a product catalogue, and the reasons and notes
//! people type. Data, not logic: [`crate::plan`] draws from these lists.

use daybook_domain::VatClass;

pub(crate) const COMPANY_FIRST: &[&str] = &[
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

pub(crate) const COMPANY_TRADE: &[&str] = &[
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

pub(crate) const COMPANY_FORM_NL: &[&str] = &[
    "B.V.",
    "B.V.",
    "B.V.",
    "Holding B.V.",
    "& Zonen",
    "V.O.F.",
    "N.V.",
];
pub(crate) const COMPANY_FORM_BE: &[&str] = &["BV", "NV", "BVBA", "& Co"];
pub(crate) const COMPANY_FORM_GB: &[&str] = &["Ltd", "Ltd", "Group", "& Co", "LLP"];

pub(crate) const FIRST_NAMES: &[&str] = &[
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

pub(crate) const LAST_NAMES: &[&str] = &[
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
pub(crate) enum Country {
    Nl,
    Be,
    Gb,
}

/// City, postal-code stem, country.
pub(crate) const CITIES: &[(&str, &str, Country)] = &[
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

pub(crate) const STREETS_NL: &[&str] = &[
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
pub(crate) const STREETS_BE: &[&str] = &[
    "Meir",
    "Kouter",
    "Grote Markt",
    "Nijverheidsstraat",
    "Kerkstraat",
    "Stationsstraat",
];
pub(crate) const STREETS_GB: &[&str] = &[
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Mill Lane",
    "King Street",
    "Commercial Road",
];

/// A catalogue section: code prefix, VAT class, items (description, price in cents).
pub(crate) type Section = (&'static str, VatClass, &'static [(&'static str, i64)]);

pub(crate) const CATALOGUE: &[Section] = &[
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

pub(crate) const VARIANTS: &[&str] = &[
    "black", "white", "grey", "blue", "large", "small", "eco", "premium", "XL", "compact",
];

pub(crate) const CANCEL_REASONS: &[&str] = &[
    "Customer changed their mind",
    "Duplicate order",
    "Out of stock",
    "Payment not received",
    "Klant heeft geannuleerd",
];

pub(crate) const BLOCK_REASONS: &[&str] = &[
    "Payment overdue",
    "Credit check failed",
    "Account under review",
    "Betalingsachterstand",
];

pub(crate) const NOTES: &[&str] = &[
    "Deliver to the back entrance",
    "Call before delivery",
    "Levering via de achteringang",
    "Graag tussen 9:00 en 12:00 leveren",
    "Leave at reception",
];
