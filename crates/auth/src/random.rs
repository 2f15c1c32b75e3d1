//! Random bytes for secrets, salts and nonces, from one place so the choice
//! of generator is made once.

/// Returns `N` bytes from the thread-local generator.
///
/// `rand::rng()` is a ChaCha12 stream cipher seeded and periodically reseeded
/// from the operating system and is marked `CryptoRng`, so its output is fit
/// for keys; using it avoids a fallible system call on every token.
pub(crate) fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    rand::fill(&mut out[..]);
    out
}
