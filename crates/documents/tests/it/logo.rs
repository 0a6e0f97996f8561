//! The company's logo on documents: on every page, as it was at the document's moment,
//! left out (not fatal) when the PDF writer cannot read it.

use daybook_documents::layout::logo_size;
use daybook_documents::{DocumentKind, gather, print, read_logo, render};
use daybook_domain::*;
use daybook_testkit::{TINY_PNG, id, set_company_logo};

use crate::{ORDER, place, shop};

const JPEG: &[u8] = include_bytes!("../../../domain/tests/fixtures/images/logo.jpg");

/// `pdfimages -list`: one row per image drawn, with its page.
fn images_per_page(pdf: &[u8]) -> Vec<u32> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdfimages")
        .arg("-list")
        .arg(&file)
        .output()
        .expect("pdfimages runs (poppler-utils; scripts/deps.sh installs it)");
    assert!(out.status.success(), "pdfimages failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

fn set_logo(db: &mut daybook_app::Daybook, image: Option<&[u8]>) {
    db.execute(set_company_logo(image).into()).unwrap();
}

#[test]
fn the_logo_prints_on_every_page_with_the_name_under_it() {
    let mut db = shop(120);
    set_logo(&mut db, Some(JPEG));
    place(&mut db);
    let (doc, rendered) = print(
        &db.read(),
        id::<OrderId>(ORDER).0,
        DocumentKind::Confirmation,
    )
    .unwrap();
    assert_eq!(doc.logo.as_ref().map(|l| l.format), Some(ImageFormat::Jpeg));
    let pages: Vec<u32> = (1..=rendered.pages as u32).collect();
    assert!(rendered.pages >= 3, "{} pages", rendered.pages);
    assert_eq!(images_per_page(&rendered.pdf), pages);
    let text = crate::pdf_text(&rendered.pdf);
    assert!(text.contains("Daybook Trading BV"), "{text}");
    assert!(text.contains("Ballpoint pen, blue"), "{text}");
    // The name sits under the logo, clear of it.
    let laid = daybook_documents::layout::layout(&doc, &Widths);
    for page in &laid {
        let logo = page.logo.expect("a logo on every page");
        let name = page
            .texts
            .iter()
            .find(|t| t.text == "Daybook Trading BV")
            .expect("the name on every page");
        assert!(name.y - name.size > logo.y + logo.h, "{name:?} {logo:?}");
        assert!(
            page.texts
                .iter()
                .all(|t| t.y > logo.y + logo.h || t.x > logo.x + logo.w)
        );
    }
}

/// Every character as wide as its size: enough to check where things go.
struct Widths;

impl daybook_documents::layout::Measure for Widths {
    fn width(&self, _: daybook_documents::layout::Face, size: f32, text: &str) -> f32 {
        text.chars().count() as f32 * size * 0.5
    }
}

#[test]
fn a_reprint_shows_the_logo_of_its_moment() {
    let mut db = shop(2);
    set_logo(&mut db, Some(TINY_PNG));
    place(&mut db);
    let order = id::<OrderId>(ORDER).0;
    let (_, before) = print(&db.read(), order, DocumentKind::Confirmation).unwrap();
    assert_eq!(images_per_page(&before.pdf), [1]);
    set_logo(&mut db, Some(JPEG));
    let (_, after_change) = print(&db.read(), order, DocumentKind::Confirmation).unwrap();
    set_logo(&mut db, None);
    let (_, after_removal) = print(&db.read(), order, DocumentKind::Confirmation).unwrap();
    assert_eq!(before, after_change);
    assert_eq!(before, after_removal);
}

#[test]
fn a_logo_the_writer_cannot_read_is_left_out_and_the_document_still_prints() {
    let mut db = shop(2);
    place(&mut db);
    let mut doc = gather(
        &db.read(),
        id::<OrderId>(ORDER).0,
        DocumentKind::Confirmation,
    )
    .unwrap();
    let without = render(&doc).unwrap();
    // A PNG whose header is fine and whose image data is not.
    let mut damaged = TINY_PNG.to_vec();
    let data = damaged.len() - 20;
    damaged[data..data + 6].copy_from_slice(b"broken");
    let logo = Logo::from_image(&damaged).expect("the header passes");
    // Chosen as a file, it is refused up front.
    assert_eq!(read_logo(&damaged), Err(LogoProblem::NotAnImage));
    assert_eq!(read_logo(TINY_PNG), Logo::from_image(TINY_PNG));
    assert_eq!(read_logo(JPEG), Logo::from_image(JPEG));
    assert_eq!(
        read_logo(&[0u8; 300 * 1024]),
        Err(LogoProblem::TooLarge { bytes: 300 * 1024 })
    );
    doc.logo = Some(logo);
    let with_damaged = render(&doc).unwrap();
    assert_eq!(with_damaged.pages, without.pages);
    assert!(images_per_page(&with_damaged.pdf).is_empty());
}

#[test]
fn the_logo_keeps_its_proportions_within_its_box() {
    assert_eq!(logo_size(240, 80), (120.0, 40.0));
    assert_eq!(logo_size(1000, 100), (160.0, 16.0));
    assert_eq!(logo_size(4, 2), (80.0, 40.0));
}
