//! The connection below the router: what hyper answers itself, before a request
//! reaches it (a request line or headers it cannot read, headers too large), gets the
//! same `ErrorBody` answer as everything else (`bad_request`), not hyper's empty one.
//!
//! [`Framed`] wraps a connection's socket and rewrites exactly hyper's own error
//! answers: a status line of 400, 414, 431 or 505 with `content-length: 0` and no
//! content type, which the router never sends (its errors carry a JSON body).
//! Everything else passes through untouched.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use daybook_protocol::{ErrorBody, ErrorCode};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A socket whose hyper-made error answers are rewritten (see the module docs).
pub struct Framed<S> {
    inner: S,
    /// The answer being written in place of hyper's: bytes, how many are written, and
    /// the length of what hyper gave (reported as written once all of it is).
    pending: Option<(Vec<u8>, usize, usize)>,
}

impl<S> Framed<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Framed {
            inner,
            pending: None,
        }
    }
}

/// The `ErrorBody` answer in place of hyper's own answer `head`, if it is one.
fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let rest = text.strip_prefix("HTTP/1.1 ")?;
    let status = rest.get(..3)?;
    let lower = text.to_ascii_lowercase();
    if !text.ends_with("\r\n\r\n")
        || !lower.contains("\r\ncontent-length: 0\r\n")
        || lower.contains("\r\ncontent-type:")
    {
        return None;
    }
    let (reason, message) = match status {
        "400" => ("Bad Request", "the server could not read the request"),
        "414" => ("URI Too Long", "the request's address is too long"),
        "431" => (
            "Request Header Fields Too Large",
            "the request's headers are too large",
        ),
        "505" => (
            "HTTP Version Not Supported",
            "the request's HTTP version is not supported",
        ),
        _ => return None,
    };
    let body = serde_json::to_string(&ErrorBody::new(ErrorCode::BadRequest, message)).ok()?;
    Some(
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n\
             connection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl<S: AsyncRead + Unpin> AsyncRead for Framed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Framed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            match rewrite(buf) {
                Some(answer) => this.pending = Some((answer, 0, buf.len())),
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        while let Some((answer, done, given)) = &mut this.pending {
            if *done == answer.len() {
                let given = *given;
                this.pending = None;
                return Poll::Ready(Ok(given));
            }
            let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &answer[*done..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *done += n;
        }
        Poll::Ready(Ok(0))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // Not vectored: hyper then hands over an answer's head in one buffer.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_own_empty_error_answers_are_rewritten() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\
                      date: Thu, 03 Dec 2026 12:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(rewrite(hyper).expect("rewritten")).unwrap();
        assert!(out.starts_with("HTTP/1.1 431 "), "{out}");
        assert!(out.contains("\"code\":\"bad_request\""), "{out}");
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n\
                     content-length: 0\r\n\r\n";
        assert!(rewrite(ours).is_none());
        assert!(rewrite(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(rewrite(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n").is_none());
    }
}
