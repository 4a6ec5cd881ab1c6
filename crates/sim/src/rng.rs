//! Random streams: one ChaCha stream per agent and per exogenous process.
//!
//! A stream is named by a stable key (the group name and the member's index), not by its
//! position in the scenario, so adding an agent or a group does not perturb the others.
//!
//! The generator is ChaCha with 8 rounds, a 64-bit block counter and the stream id as the
//! 64-bit nonce — word for word the stream of `rand_chacha::ChaCha8Rng` seeded by
//! `seed_from_u64` and given `set_stream` (a test checks it against that crate). It is written
//! here for its size: `ChaCha8Rng` buffers four blocks (256 bytes) and is about 300 bytes; this
//! one buffers one block and is 120, which matters when every agent carries its own stream and
//! thousands of agents must share a core's cache (BENCHMARKS.md, "Several venues").

use rand::{RngCore, SeedableRng};

/// Words in one ChaCha block.
const BLOCK_WORDS: usize = 16;

/// The generator every random draw in the model comes from: ChaCha8, one block buffered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    /// The block last generated; `index` is the next word to hand out.
    buf: [u32; BLOCK_WORDS],
    /// The 256-bit key, as eight little-endian words.
    key: [u32; 8],
    /// The counter of the next block to generate.
    counter: u64,
    /// The stream id (the nonce).
    stream: u64,
    /// The next word of `buf`; `BLOCK_WORDS` when it is spent.
    index: u32,
}

/// "expand 32-byte k".
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

#[inline(always)]
fn quarter(x: &mut [u32; BLOCK_WORDS], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(16);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(12);
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(8);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(7);
}

impl Rng {
    /// Generates the block at `counter` into `buf` and advances the counter.
    #[inline(never)]
    fn refill(&mut self) {
        let mut input = [0u32; BLOCK_WORDS];
        input[..4].copy_from_slice(&SIGMA);
        input[4..12].copy_from_slice(&self.key);
        input[12] = self.counter as u32;
        input[13] = (self.counter >> 32) as u32;
        input[14] = self.stream as u32;
        input[15] = (self.stream >> 32) as u32;
        let mut x = input;
        for _ in 0..4 {
            quarter(&mut x, 0, 4, 8, 12);
            quarter(&mut x, 1, 5, 9, 13);
            quarter(&mut x, 2, 6, 10, 14);
            quarter(&mut x, 3, 7, 11, 15);
            quarter(&mut x, 0, 5, 10, 15);
            quarter(&mut x, 1, 6, 11, 12);
            quarter(&mut x, 2, 7, 8, 13);
            quarter(&mut x, 3, 4, 9, 14);
        }
        for (out, (a, b)) in self.buf.iter_mut().zip(x.iter().zip(&input)) {
            *out = a.wrapping_add(*b);
        }
        self.counter = self.counter.wrapping_add(1);
        self.index = 0;
    }

    /// Sets the stream id (the nonce) of a generator that has not been drawn from.
    fn with_stream(mut self, stream: u64) -> Self {
        debug_assert_eq!(
            self.index as usize, BLOCK_WORDS,
            "stream set before any draw"
        );
        self.stream = stream;
        self
    }
}

impl RngCore for Rng {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        if self.index as usize >= BLOCK_WORDS {
            self.refill();
        }
        let w = self.buf[self.index as usize];
        self.index += 1;
        w
    }

    /// Two consecutive words, the first the low half (as `rand_core`'s block generator does,
    /// across a block boundary too).
    #[inline]
    fn next_u64(&mut self) -> u64 {
        let lo = u64::from(self.next_u32());
        let hi = u64::from(self.next_u32());
        (hi << 32) | lo
    }

    /// Whole words in order, little-endian; the unused bytes of a last partial word are
    /// dropped, as `rand_core`'s block generator drops them.
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4) {
            let w = self.next_u32().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl SeedableRng for Rng {
    type Seed = [u8; 32];

    fn from_seed(seed: Self::Seed) -> Self {
        let mut key = [0u32; 8];
        for (k, b) in key.iter_mut().zip(seed.chunks_exact(4)) {
            *k = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        Rng {
            buf: [0; BLOCK_WORDS],
            key,
            counter: 0,
            stream: 0,
            index: BLOCK_WORDS as u32,
        }
    }
}

/// FNV-1a: a fixed, platform-independent hash for stream keys.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The stream id of member `index` of the group `group`.
pub fn stream_id(group: &str, index: u32) -> u64 {
    let mut key = Vec::with_capacity(group.len() + 5);
    key.extend_from_slice(group.as_bytes());
    key.push(b'#');
    key.extend_from_slice(&index.to_le_bytes());
    fnv1a(&key)
}

/// The stream id of an exogenous process (`"fundamental"`, `"index"`, …).
pub fn process_stream_id(name: &str) -> u64 {
    fnv1a(name.as_bytes()) ^ 0x9e37_79b9_7f4a_7c15
}

/// A generator for (run seed, stream id).
pub fn stream(seed: u64, stream: u64) -> Rng {
    Rng::seed_from_u64(seed).with_stream(stream)
}

/// An exponential draw with the given mean, from one uniform.
pub fn exp_draw(rng: &mut Rng, mean: f64) -> f64 {
    let u: f64 = rand::Rng::gen(rng);
    -mean * (1.0 - u).ln()
}

/// A geometric draw on {0, 1, 2, …} with the given mean.
pub fn geometric_draw(rng: &mut Rng, mean: f64) -> i64 {
    if mean <= 0.0 {
        return 0;
    }
    let p = 1.0 / (1.0 + mean);
    let u: f64 = rand::Rng::gen(rng);
    // Inverse CDF: floor(ln(1-u) / ln(1-p)), bounded so a pathological draw stays finite.
    let k = ((1.0 - u).ln() / (1.0 - p).ln()).floor();
    k.clamp(0.0, 1e9) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    #[test]
    fn same_seed_and_stream_repeat_and_streams_differ() {
        let a: Vec<u64> = (0..4)
            .map(|_| stream(7, stream_id("noise", 0)).gen())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let x: u64 = stream(7, stream_id("noise", 0)).gen();
        let y: u64 = stream(7, stream_id("noise", 1)).gen();
        let z: u64 = stream(8, stream_id("noise", 0)).gen();
        assert_ne!(x, y);
        assert_ne!(x, z);
    }

    /// The compact generator is word for word `rand_chacha::ChaCha8Rng` with the same seed and
    /// stream, whatever mix of 32-bit, 64-bit, byte and range draws is made, across block
    /// boundaries (odd offsets make `next_u64` straddle them).
    #[test]
    fn the_stream_is_rand_chachas_chacha8() {
        use rand::Rng as _;
        use rand_chacha::ChaCha8Rng;
        for (seed, id) in [
            (0, 0),
            (1, stream_id("noise", 0)),
            (u64::MAX, u64::MAX),
            (42, 7),
        ] {
            let mut ours = stream(seed, id);
            let mut theirs = ChaCha8Rng::seed_from_u64(seed);
            theirs.set_stream(id);
            for i in 0..2_000u32 {
                match i % 7 {
                    0 | 3 => assert_eq!(ours.next_u32(), theirs.next_u32()),
                    1 | 4 => assert_eq!(ours.next_u64(), theirs.next_u64()),
                    2 => assert_eq!(
                        ours.gen_range(0..1_000_003u64),
                        theirs.gen_range(0..1_000_003u64)
                    ),
                    5 => assert_eq!(ours.gen::<f64>().to_bits(), theirs.gen::<f64>().to_bits()),
                    _ => {
                        let (mut a, mut b) = ([0u8; 11], [0u8; 11]);
                        ours.fill_bytes(&mut a);
                        theirs.fill_bytes(&mut b);
                        assert_eq!(a, b);
                    }
                }
            }
        }
        assert!(
            std::mem::size_of::<Rng>() <= 120,
            "{}",
            std::mem::size_of::<Rng>()
        );
    }

    #[test]
    fn stream_ids_are_stable_across_builds() {
        // Pinned: changing the hash would change every run's output.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn geometric_and_exponential_have_their_means() {
        let mut r = stream(1, 1);
        let n = 200_000;
        let g: f64 = (0..n)
            .map(|_| geometric_draw(&mut r, 3.0) as f64)
            .sum::<f64>()
            / n as f64;
        let e: f64 = (0..n).map(|_| exp_draw(&mut r, 2.0)).sum::<f64>() / n as f64;
        assert!((g - 3.0).abs() < 0.05, "geometric mean {g}");
        assert!((e - 2.0).abs() < 0.03, "exponential mean {e}");
    }
}
