//! The content hash of an imported file (XXH3-128 of its bytes), by which a re-import of the same
//! file is recognised ([`crate::ImportSummary::content_hash`]).
//!
//! Computed with `twox-hash`, which picks its AVX2 code at run time where the CPU has it (the
//! hash runs over every byte of an import); its digest is XXH3-128's, the same as the
//! `xxhash-rust` digests stored by earlier imports (a property test holds the two together).

/// Streaming XXH3-128 (default seed and secret).
pub(crate) struct ContentHasher(twox_hash::xxhash3_128::Hasher);

impl ContentHasher {
    pub fn new() -> Self {
        ContentHasher(twox_hash::xxhash3_128::Hasher::new())
    }

    #[inline]
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    /// The digest as 32 lower-case hex digits.
    pub fn hex_digest(&self) -> String {
        format!("{:032x}", self.0.finish_128())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_digest_of_nothing_is_xxh3_128s() {
        // XXH3-128 of the empty input, from the reference implementation.
        assert_eq!(
            ContentHasher::new().hex_digest(),
            "99aa06d3014798d86001c324468d497f"
        );
    }

    proptest! {
        #[test]
        fn digests_equal_those_of_earlier_imports(
            bytes in proptest::collection::vec(any::<u8>(), 0..5000),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
        ) {
            // Fed in pieces, as the readers feed it.
            let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
            cuts.sort_unstable();
            let mut ours = ContentHasher::new();
            let mut reference = xxhash_rust::xxh3::Xxh3::new();
            let mut at = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                ours.update(&bytes[at..cut]);
                reference.update(&bytes[at..cut]);
                at = cut;
            }
            prop_assert_eq!(ours.hex_digest(), format!("{:032x}", reference.digest128()));
        }
    }
}
