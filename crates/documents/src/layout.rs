//! Where everything goes: a document laid out as pages of placed text and rules,
//! before anything is drawn, so the page count is known when "Page n of N" is set.
//! Pure and deterministic: measured with the shipped fonts' advance widths.

use chrono::{DateTime, Utc};
use daybook_domain::money::percent;
use daybook_domain::{Address, Money};

use crate::model::{Document, Party};

/// A4 in points.
pub const PAGE_W: f32 = 595.0;
/// A4 in points.
pub const PAGE_H: f32 = 842.0;
const LEFT: f32 = 50.0;
const RIGHT: f32 = 545.0;
const TOP: f32 = 56.0;
/// Lowest baseline of the body; the footer sits below it.
const BOTTOM: f32 = 780.0;
const FOOTER: f32 = 812.0;
const SIZE: f32 = 9.0;
const LH: f32 = 12.0;

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

/// Horizontal anchoring of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `x` is the left edge.
    Left,
    /// `x` is the right edge.
    Right,
}

/// One run of text at a baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// Anchor.
    pub x: f32,
    /// Baseline, from the top.
    pub y: f32,
    /// Size in points.
    pub size: f32,
    /// Face.
    pub face: Face,
    /// Anchoring.
    pub align: Align,
    /// What.
    pub text: String,
}

/// Where the logo goes: its top-left corner (from the top) and size in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// Left edge.
    pub x: f32,
    /// Top edge, from the top.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

/// One page: texts, horizontal rules `(x1, x2, y)` and the logo, if any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// Texts.
    pub texts: Vec<Text>,
    /// Rules.
    pub rules: Vec<(f32, f32, f32)>,
    /// The logo's place on this page.
    pub logo: Option<Placed>,
}

/// The logo's box: at most this high and wide, its proportions kept.
const LOGO_H: f32 = 40.0;
const LOGO_W: f32 = 160.0;

/// The logo's printed size: as high as [`LOGO_H`] unless that makes it wider than
/// [`LOGO_W`].
pub fn logo_size(width_px: u32, height_px: u32) -> (f32, f32) {
    let (w, h) = (width_px.max(1) as f32, height_px.max(1) as f32);
    let scale = (LOGO_H / h).min(LOGO_W / w);
    (w * scale, h * scale)
}

/// Measures text: the advance widths of the shipped fonts.
pub trait Measure {
    /// Width of `text` in points.
    fn width(&self, face: Face, size: f32, text: &str) -> f32;
}

struct Pager<'m> {
    m: &'m dyn Measure,
    pages: Vec<Page>,
    page: Page,
    y: f32,
}

impl Pager<'_> {
    fn text(
        &mut self,
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        align: Align,
        text: impl Into<String>,
    ) {
        self.page.texts.push(Text {
            x,
            y,
            size,
            face,
            align,
            text: text.into(),
        });
    }

    fn new_page(&mut self) {
        let page = std::mem::take(&mut self.page);
        self.pages.push(page);
    }

    /// Words of `text` in lines no wider than `width` (a word too long is cut).
    fn wrap(&self, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.lines() {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.m.width(face, size, &candidate) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    line.push(c);
                    if self.m.width(face, size, &line) > width {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
            lines.push(line);
        }
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }
}

fn date(t: DateTime<Utc>) -> String {
    t.format("%-d %B %Y").to_string()
}

fn address_lines(a: &Address) -> Vec<String> {
    [
        a.street.clone(),
        format!("{} {}", a.postal_code, a.city).trim().to_string(),
        a.country.clone(),
    ]
    .into_iter()
    .filter(|l| !l.trim().is_empty())
    .collect()
}

fn party_lines(p: &Party) -> Vec<String> {
    let mut lines: Vec<String> = p.address.as_ref().map(address_lines).unwrap_or_default();
    lines.extend(p.extra.iter().cloned());
    lines
}

/// Column anchors of the lines table.
const C_NO: f32 = 66.0;
const C_CODE: f32 = 72.0;
const C_DESC: f32 = 146.0;
const DESC_W: f32 = 170.0;
const C_QTY: f32 = 350.0;
const C_PRICE: f32 = 410.0;
const C_DISC: f32 = 448.0;
const C_VAT: f32 = 480.0;

fn money(m: Money) -> String {
    m.grouped()
}

/// Lays the document out in pages.
pub fn layout(doc: &Document, m: &dyn Measure) -> Vec<Page> {
    let mut p = Pager {
        m,
        pages: Vec::new(),
        page: Page::default(),
        y: TOP,
    };
    header(&mut p, doc);
    first_page(&mut p, doc);
    table_head(&mut p);
    for (i, line) in doc.lines.iter().enumerate() {
        let desc = p.wrap(Face::Regular, SIZE, &line.description, DESC_W);
        let code = p.wrap(Face::Regular, SIZE, &line.code, C_DESC - C_CODE - 6.0);
        let rows = desc.len().max(code.len());
        if p.y + LH * rows as f32 > BOTTOM {
            p.new_page();
            header(&mut p, doc);
            table_head(&mut p);
        }
        let y = p.y + LH;
        let r = Face::Regular;
        p.text(C_NO, y, r, SIZE, Align::Right, (i + 1).to_string());
        for (k, c) in code.into_iter().enumerate() {
            p.text(C_CODE, y + LH * k as f32, r, SIZE, Align::Left, c);
        }
        for (k, d) in desc.into_iter().enumerate() {
            p.text(C_DESC, y + LH * k as f32, r, SIZE, Align::Left, d);
        }
        p.text(C_QTY, y, r, SIZE, Align::Right, line.quantity.to_string());
        p.text(C_PRICE, y, r, SIZE, Align::Right, money(line.unit_price));
        if line.discount_bp != 0 {
            p.text(C_DISC, y, r, SIZE, Align::Right, percent(line.discount_bp));
        }
        p.text(C_VAT, y, r, SIZE, Align::Right, percent(line.vat_rate_bp));
        p.text(RIGHT, y, r, SIZE, Align::Right, money(line.net()));
        p.y += LH * rows as f32;
    }
    totals(&mut p, doc);
    notes(&mut p, doc);
    p.new_page();
    footers(&mut p.pages, doc);
    p.pages
}

fn header(p: &mut Pager<'_>, doc: &Document) {
    let name = doc.company.as_ref().map_or("", |c| c.name.as_str());
    // The logo sits top left, the company's name under it.
    let mut name_y = TOP;
    if let Some(l) = &doc.logo {
        let (w, h) = logo_size(l.width, l.height);
        let top = TOP - 24.0;
        p.page.logo = Some(Placed {
            x: LEFT,
            y: top,
            w,
            h,
        });
        name_y = top + h + 16.0;
    }
    p.text(LEFT, name_y, Face::Bold, 14.0, Align::Left, name);
    p.text(RIGHT, TOP, Face::Bold, 16.0, Align::Right, doc.title());
    let number = match doc.invoice_number {
        Some(n) => format!("Invoice no. INV-{n:05} · Order {}", doc.order_number),
        None => format!("Order {}", doc.order_number),
    };
    p.text(RIGHT, TOP + 16.0, Face::Regular, SIZE, Align::Right, number);
    p.y = (TOP + 24.0).max(name_y + 8.0);
    // A cancelled order's document says so on every page, under its number.
    if let Some(t) = doc.cancelled {
        let mark = format!("CANCELLED on {}", date(t));
        p.text(RIGHT, TOP + 32.0, Face::Bold, 11.0, Align::Right, mark);
        p.y = p.y.max(TOP + 38.0);
    }
}

fn first_page(p: &mut Pager<'_>, doc: &Document) {
    let mut y = p.y;
    if doc.pro_forma {
        p.text(
            RIGHT,
            y + 14.0,
            Face::Bold,
            11.0,
            Align::Right,
            "PRO FORMA: not a VAT invoice",
        );
        y += 14.0;
    }
    if let Some(c) = &doc.company {
        for (k, l) in party_lines(c).into_iter().enumerate() {
            p.text(
                LEFT,
                p.y + LH * (k as f32 + 1.0),
                Face::Regular,
                8.0,
                Align::Left,
                l,
            );
            y = y.max(p.y + LH * (k as f32 + 1.0));
        }
    }
    let top = y + 26.0;
    let to = match doc.kind {
        crate::DocumentKind::Invoice => "Invoice to",
        _ => "Customer",
    };
    let mut bottom = party(p, LEFT, top, to, &doc.customer);
    if let Some(d) = &doc.delivery {
        let deliver = Party {
            name: doc.customer.name.clone(),
            address: Some(d.clone()),
            extra: vec![],
        };
        bottom = bottom.max(party(p, 300.0, top, "Deliver to", &deliver));
    }
    let mut y = bottom + 22.0;
    let mut facts: Vec<(&str, String)> = vec![("Order", doc.order_number.clone())];
    if let Some(n) = doc.invoice_number {
        facts.push(("Invoice no.", format!("INV-{n:05}")));
    }
    facts.extend(doc.dates.iter().map(|(l, t)| (*l, date(*t))));
    if let Some(r) = &doc.reference {
        facts.push(("Your reference", r.clone()));
    }
    facts.push(("Currency", doc.currency.to_string()));
    for (label, value) in facts {
        p.text(LEFT, y, Face::Bold, SIZE, Align::Left, label);
        p.text(LEFT + 90.0, y, Face::Regular, SIZE, Align::Left, value);
        y += LH;
    }
    p.y = y + 8.0;
}

/// A labelled party block; returns the last baseline.
fn party(p: &mut Pager<'_>, x: f32, top: f32, label: &str, who: &Party) -> f32 {
    p.text(x, top, Face::Bold, 8.0, Align::Left, label);
    let mut y = top + LH + 2.0;
    for (k, l) in p
        .wrap(Face::Bold, 10.0, &who.name, 230.0)
        .into_iter()
        .enumerate()
    {
        p.text(x, y + k as f32 * LH, Face::Bold, 10.0, Align::Left, l);
        y += if k > 0 { LH } else { 0.0 };
    }
    for l in party_lines(who) {
        y += LH;
        p.text(x, y, Face::Regular, SIZE, Align::Left, l);
    }
    y
}

fn table_head(p: &mut Pager<'_>) {
    let y = p.y + LH;
    let b = Face::Bold;
    p.text(C_NO, y, b, SIZE, Align::Right, "#");
    p.text(C_CODE, y, b, SIZE, Align::Left, "Code");
    p.text(C_DESC, y, b, SIZE, Align::Left, "Description");
    p.text(C_QTY, y, b, SIZE, Align::Right, "Qty");
    p.text(C_PRICE, y, b, SIZE, Align::Right, "Unit price");
    p.text(C_DISC, y, b, SIZE, Align::Right, "Disc.");
    p.text(C_VAT, y, b, SIZE, Align::Right, "VAT");
    p.text(RIGHT, y, b, SIZE, Align::Right, "Amount");
    p.page.rules.push((LEFT, RIGHT, y + 4.0));
    p.y = y + 4.0;
}

fn totals(p: &mut Pager<'_>, doc: &Document) {
    let t = &doc.totals;
    let height = LH * (t.per_rate.len() as f32 + 3.0) + 16.0;
    if p.y + height > BOTTOM {
        p.new_page();
        header(p, doc);
    }
    let y0 = p.y + 6.0;
    p.page.rules.push((LEFT, RIGHT, y0));
    let label_x = 330.0;
    let mut y = y0 + LH + 2.0;
    p.text(
        label_x,
        y,
        Face::Regular,
        SIZE,
        Align::Left,
        "Total excl. VAT",
    );
    p.text(RIGHT, y, Face::Regular, SIZE, Align::Right, money(t.net));
    for r in &t.per_rate {
        y += LH;
        p.text(
            label_x,
            y,
            Face::Regular,
            SIZE,
            Align::Left,
            format!("VAT {} of {}", percent(r.rate_bp), money(r.net)),
        );
        p.text(RIGHT, y, Face::Regular, SIZE, Align::Right, money(r.vat));
    }
    y += LH + 4.0;
    p.page.rules.push((label_x, RIGHT, y - LH + 2.0));
    p.text(
        label_x,
        y,
        Face::Bold,
        10.0,
        Align::Left,
        format!("Total {}", doc.currency),
    );
    p.text(RIGHT, y, Face::Bold, 10.0, Align::Right, money(t.gross));
    p.y = y + 8.0;
}

fn notes(p: &mut Pager<'_>, doc: &Document) {
    let Some(notes) = doc.notes.as_deref().filter(|n| !n.trim().is_empty()) else {
        return;
    };
    let lines = p.wrap(Face::Regular, SIZE, notes, RIGHT - LEFT);
    p.y += LH;
    p.text(LEFT, p.y, Face::Bold, SIZE, Align::Left, "Notes");
    for l in lines {
        if p.y + LH > BOTTOM {
            p.new_page();
            header(p, doc);
        }
        p.y += LH;
        p.text(LEFT, p.y, Face::Regular, SIZE, Align::Left, l);
    }
}

fn footers(pages: &mut [Page], doc: &Document) {
    let n = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        page.rules.push((LEFT, RIGHT, FOOTER - 11.0));
        page.texts.push(Text {
            x: LEFT,
            y: FOOTER,
            size: 8.0,
            face: Face::Regular,
            align: Align::Left,
            text: match doc.cancelled {
                Some(_) => format!("{} · {} · cancelled", doc.title(), doc.order_number),
                None => format!("{} · {}", doc.title(), doc.order_number),
            },
        });
        page.texts.push(Text {
            x: RIGHT,
            y: FOOTER,
            size: 8.0,
            face: Face::Regular,
            align: Align::Right,
            text: format!("Page {} of {n}", i + 1),
        });
    }
}
