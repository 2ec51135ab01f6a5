//! The TLS stream a PostgreSQL connection runs over, and the channel binding it offers:
//! `tls-server-end-point` (RFC 5929), the hash of the server's certificate that
//! SCRAM-SHA-256-PLUS binds the password exchange to.

use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::ChannelBinding;

/// A TLS connection to the server, with the channel-binding data SCRAM asks for.
pub(in crate::store::postgres) struct TlsStream<S>(pub(super) tokio_rustls::client::TlsStream<S>);

impl<S> tokio_postgres::tls::TlsStream for TlsStream<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    /// `tls-server-end-point` (RFC 5929 section 4.1): a hash of the server's certificate.
    /// With it, SCRAM-SHA-256-PLUS ties the password exchange to this TLS session, so a man
    /// in the middle (possible under `prefer` and `require`) cannot relay the authentication.
    /// A certificate whose hash cannot be named (Ed25519, RSA-PSS) offers none, and plain
    /// SCRAM-SHA-256 is used, as libpq does with channel_binding=prefer.
    fn channel_binding(&self) -> ChannelBinding {
        let (_, session) = self.0.get_ref();
        session
            .peer_certificates()
            .and_then(|chain| chain.first())
            .and_then(|cert| end_point_hash(cert))
            .map_or_else(ChannelBinding::none, ChannelBinding::tls_server_end_point)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// The DER encodings of the signature algorithms whose hash names the channel-binding hash:
/// SHA-1 and SHA-256 ones give SHA-256 (RFC 5929 section 4.1), the others their own. These
/// with SHA-256.
const SHA256_SIGNATURES: &[&[u8]] = &[
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05], // sha1WithRSAEncryption
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b], // sha256WithRSAEncryption
    &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01],             // ecdsa-with-SHA1
    &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],       // ecdsa-with-SHA256
];
/// Signature algorithms hashed with SHA-384.
const SHA384_SIGNATURES: &[&[u8]] = &[
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c], // sha384WithRSAEncryption
    &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03],       // ecdsa-with-SHA384
];
/// Signature algorithms hashed with SHA-512.
const SHA512_SIGNATURES: &[&[u8]] = &[
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d], // sha512WithRSAEncryption
    &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04],       // ecdsa-with-SHA512
];

/// The `tls-server-end-point` value of a DER certificate, or `None` when its signature
/// algorithm names no hash this knows.
pub(super) fn end_point_hash(cert: &[u8]) -> Option<Vec<u8>> {
    use sha2::Digest;
    let algorithm = signature_algorithm(cert)?;
    if SHA256_SIGNATURES.contains(&algorithm) {
        Some(sha2::Sha256::digest(cert).to_vec())
    } else if SHA384_SIGNATURES.contains(&algorithm) {
        Some(sha2::Sha384::digest(cert).to_vec())
    } else if SHA512_SIGNATURES.contains(&algorithm) {
        Some(sha2::Sha512::digest(cert).to_vec())
    } else {
        None
    }
}

/// The OID (its DER contents) of a certificate's `signatureAlgorithm`:
/// `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE { OID,
/// parameters }, signatureValue BIT STRING }` (RFC 5280 section 4.1). The certificate has
/// already passed rustls' parser (or is only hashed, never trusted, on this result).
fn signature_algorithm(cert: &[u8]) -> Option<&[u8]> {
    const SEQUENCE: u8 = 0x30;
    const OID: u8 = 0x06;
    let (certificate, _) = der_element(cert, SEQUENCE)?;
    let (_tbs, rest) = der_element(certificate, SEQUENCE)?;
    let (algorithm, _) = der_element(rest, SEQUENCE)?;
    let (oid, _) = der_element(algorithm, OID)?;
    Some(oid)
}

/// Split one DER element tagged `tag` off the front of `input`: its contents and what follows.
fn der_element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&found, rest) = input.split_first()?;
    if found != tag {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let octets = usize::from(first & 0x7f);
        if octets == 0 || octets > 4 || rest.len() < octets {
            return None;
        }
        let (length, rest) = rest.split_at(octets);
        let length = length
            .iter()
            .fold(0usize, |sum, &b| (sum << 8) | usize::from(b));
        (length, rest)
    };
    (rest.len() >= length).then(|| rest.split_at(length))
}
