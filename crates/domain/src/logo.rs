//! The company's logo: a small PNG or JPEG that documents print at the top of every
//! page. A value module: it depends on nothing else in the crate.
//!
//! On the wire the image is base64 (standard alphabet, padded); the command carries
//! only that, and `decide` records what a reader needs without decoding it again
//! (format, size in pixels and bytes) beside it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// Largest logo file accepted: plenty for a letterhead, small enough that every
/// device syncs it without noticing.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;
/// Largest width or height in pixels (a letterhead prints it a few centimetres wide).
pub const MAX_LOGO_SIDE: u32 = 4096;

/// The image formats every PDF viewer shows without a plug-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
}

impl ImageFormat {
    /// As people name it.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
        }
    }
}

/// A logo as recorded: the image and what was read off it when it was set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Logo {
    /// PNG or JPEG.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size of the image file in bytes.
    pub bytes: u32,
    /// The image file, base64.
    pub data: String,
}

impl Logo {
    /// The image file's bytes.
    pub fn image(&self) -> Result<Vec<u8>, LogoProblem> {
        STANDARD
            .decode(self.data.as_bytes())
            .map_err(|_| LogoProblem::NotBase64)
    }

    /// Reads a logo from its base64 text, checking what documents rely on: a PNG or
    /// JPEG file, at most [`MAX_LOGO_BYTES`] and [`MAX_LOGO_SIDE`] pixels a side.
    pub fn parse(data: &str) -> Result<Logo, LogoProblem> {
        // Base64 is 4/3 of the file: refuse an oversized text before decoding it.
        if data.len() > MAX_LOGO_BYTES.div_ceil(3) * 4 {
            return Err(LogoProblem::TooLarge {
                bytes: data.len() / 4 * 3,
            });
        }
        let bytes = STANDARD
            .decode(data.as_bytes())
            .map_err(|_| LogoProblem::NotBase64)?;
        Logo::from_image(&bytes)
    }

    /// A logo from an image file's bytes (the edges read a file the user chose).
    pub fn from_image(bytes: &[u8]) -> Result<Logo, LogoProblem> {
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(LogoProblem::TooLarge { bytes: bytes.len() });
        }
        let format = match imagesize::image_type(bytes) {
            Ok(imagesize::ImageType::Png) => ImageFormat::Png,
            Ok(imagesize::ImageType::Jpeg) => ImageFormat::Jpeg,
            _ => return Err(LogoProblem::NotAnImage),
        };
        let size = imagesize::blob_size(bytes).map_err(|_| LogoProblem::NotAnImage)?;
        let side = |v: usize| u32::try_from(v).ok().filter(|v| *v > 0);
        let (Some(width), Some(height)) = (side(size.width), side(size.height)) else {
            return Err(LogoProblem::NotAnImage);
        };
        if width > MAX_LOGO_SIDE || height > MAX_LOGO_SIDE {
            return Err(LogoProblem::TooManyPixels { width, height });
        }
        Ok(Logo {
            format,
            width,
            height,
            bytes: u32::try_from(bytes.len())
                .map_err(|_| LogoProblem::TooLarge { bytes: bytes.len() })?,
            data: STANDARD.encode(bytes),
        })
    }

    /// "PNG, 240 × 80 px, 12 KB", as the history and the settings screen say it.
    pub fn describe(&self) -> String {
        format!(
            "{}, {} × {} px, {} KB",
            self.format.name(),
            self.width,
            self.height,
            self.bytes.div_ceil(1024)
        )
    }
}

/// Why an image cannot be the logo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LogoProblem {
    /// The text is not base64.
    #[error("the logo is not base64-encoded")]
    NotBase64,
    /// Neither a PNG nor a JPEG file, or a damaged one.
    #[error("the logo must be a readable PNG or JPEG image")]
    NotAnImage,
    /// Over [`MAX_LOGO_BYTES`].
    #[error("the logo is {} KB; at most {} KB fits", bytes.div_ceil(1024), MAX_LOGO_BYTES / 1024)]
    TooLarge {
        /// Its size.
        bytes: usize,
    },
    /// Over [`MAX_LOGO_SIDE`] pixels wide or high.
    #[error("the logo is {width} × {height} pixels; at most {MAX_LOGO_SIDE} a side fits")]
    TooManyPixels {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },
}
