//! Draws laid-out pages as PDF with krilla: the shipped fonts embedded as subsets (with
//! their Unicode maps, so the text can be searched and extracted), no metadata, no
//! dates and no random ids, so the same document gives the same bytes.

use daybook_domain::{ImageFormat, Logo, LogoProblem};
use krilla::Document as Pdf;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};

use crate::DocumentError;
use crate::layout::{self, Align, Face, Measure, PAGE_H, PAGE_W};
use crate::model::Document;

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// The shipped fonts, parsed once per render.
struct Fonts {
    regular: (Font, ttf_parser::Face<'static>),
    bold: (Font, ttf_parser::Face<'static>),
}

impl Fonts {
    fn load() -> Result<Fonts, DocumentError> {
        let one =
            |data: &'static [u8]| -> Result<(Font, ttf_parser::Face<'static>), DocumentError> {
                let font = Font::new(data.into(), 0).ok_or(DocumentError::Font)?;
                let face = ttf_parser::Face::parse(data, 0).map_err(|_| DocumentError::Font)?;
                Ok((font, face))
            };
        Ok(Fonts {
            regular: one(REGULAR)?,
            bold: one(BOLD)?,
        })
    }

    fn get(&self, face: Face) -> &(Font, ttf_parser::Face<'static>) {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }
}

impl Measure for Fonts {
    fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let f = &self.get(face).1;
        let units: u32 = text
            .chars()
            .map(|c| {
                f.glyph_index(c)
                    .and_then(|g| f.glyph_hor_advance(g))
                    .map_or(0, u32::from)
            })
            .sum();
        units as f32 * size / f32::from(f.units_per_em())
    }
}

/// A rendered document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// Its number of pages.
    pub pages: usize,
}

/// The document as PDF. A logo the PDF writer cannot read (damaged in a way its
/// header did not show when it was set) is left out rather than keep the document
/// from printing.
pub fn render(doc: &Document) -> Result<Rendered, DocumentError> {
    match render_with(doc, doc.logo.as_ref().and_then(image_of)) {
        Err(DocumentError::Pdf(_)) if doc.logo.is_some() => render_with(doc, None),
        other => other,
    }
}

/// The logo as the PDF writer takes it; `None` when it cannot be read.
fn image_of(logo: &Logo) -> Option<Image> {
    let bytes = logo.image().ok()?;
    match logo.format {
        ImageFormat::Png => Image::from_png(bytes.into(), true).ok(),
        ImageFormat::Jpeg => Image::from_jpeg(bytes.into(), true).ok(),
    }
}

/// A logo from an image file the user chose, checked as the domain checks it and then
/// drawn once: a file that passes the header check but that the PDF writer cannot
/// read is refused when it is chosen rather than left out of every document later.
/// The CLI and the desktop both set a logo through this.
pub fn read_logo(file: &[u8]) -> Result<Logo, LogoProblem> {
    let logo = Logo::from_image(file)?;
    if draws(&logo) {
        Ok(logo)
    } else {
        Err(LogoProblem::NotAnImage)
    }
}

fn draws(logo: &Logo) -> bool {
    let Some(image) = image_of(logo) else {
        return false;
    };
    let mut pdf = Pdf::new();
    let Some(settings) = PageSettings::from_wh(10.0, 10.0) else {
        return false;
    };
    let mut page = pdf.start_page_with(settings);
    let mut surface = page.surface();
    if let Some(size) = Size::from_wh(10.0, 10.0) {
        surface.draw_image(image, size);
    }
    surface.finish();
    page.finish();
    pdf.finish().is_ok()
}

fn render_with(doc: &Document, logo: Option<Image>) -> Result<Rendered, DocumentError> {
    let fonts = Fonts::load()?;
    let pages = layout::layout(doc, &fonts);
    let mut pdf = Pdf::new();
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(DocumentError::Layout)?;
    for laid in &pages {
        let mut page = pdf.start_page_with(settings.clone());
        let mut surface = page.surface();
        if let (Some(image), Some(at)) = (&logo, laid.logo)
            && let Some(size) = Size::from_wh(at.w, at.h)
        {
            surface.push_transform(&Transform::from_translate(at.x, at.y));
            surface.draw_image(image.clone(), size);
            surface.pop();
        }
        for t in &laid.texts {
            if t.text.is_empty() {
                continue;
            }
            let x = match t.align {
                Align::Left => t.x,
                Align::Right => t.x - fonts.width(t.face, t.size, &t.text),
            };
            surface.draw_text(
                Point::from_xy(x, t.y),
                fonts.get(t.face).0.clone(),
                t.size,
                &t.text,
                false,
                TextDirection::Auto,
            );
        }
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            width: 0.5,
            ..Stroke::default()
        }));
        for &(x1, x2, y) in &laid.rules {
            let mut pb = PathBuilder::new();
            pb.move_to(x1, y);
            pb.line_to(x2, y);
            if let Some(path) = pb.finish() {
                surface.draw_path(&path);
            }
        }
        surface.finish();
        page.finish();
    }
    let pdf = pdf
        .finish()
        .map_err(|e| DocumentError::Pdf(format!("{e:?}")))?;
    Ok(Rendered {
        pdf,
        pages: pages.len(),
    })
}
