//! The workspace's one seeded random number generator: the demo data, the test kit's
//! seeded harnesses and the benchmark's workload all draw from [`Rng`], so "the same
//! seed gives the same run" means the same thing everywhere.

use uuid::Uuid;

/// SplitMix64: tiny, fast, the same on every platform, and good enough for test and
/// demo data (not for anything secret).
///
/// **Invariant:** the sequence is a pure function of the seed. Every method draws a
/// fixed number of values for its arguments (documented where it is not one), so a
/// harness that prints its seed is reproduced by that seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`; 0 when `n` is 0. (The high half of a widening multiply:
    /// no division, and no bias worth the name for any `n` we use.)
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a collection of `len` items (0 when `len` is 0).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Uniform in `lo..=hi`, for any of the integer types; `lo` (drawing nothing)
    /// when `hi <= lo`. The draw does not depend on the type: `range(1, 6)` gives the
    /// same number as an `i64`, a `u64` or a `usize`.
    pub fn range<T: Int>(&mut self, lo: T, hi: T) -> T {
        let (l, h) = (lo.wide(), hi.wide());
        if h <= l {
            return lo;
        }
        let span = u64::try_from(h - l + 1).unwrap_or(u64::MAX);
        T::narrow(l + i128::from(self.below(span)))
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items`, uniformly.
    ///
    /// # Panics
    /// When `items` is empty, as indexing would: for word lists and other constants.
    /// [`Rng::choose`] is the total form.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// One of `items`, uniformly; `None` (drawing nothing) when there are none.
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(self.pick(items))
        }
    }

    /// An index in `0..n` skewed towards 0 (the least of three draws): a few
    /// customers order most.
    pub fn skewed(&mut self, n: usize) -> usize {
        let n = n as u64;
        self.below(n).min(self.below(n)).min(self.below(n)) as usize
    }

    /// A random (version 4) UUID: two draws.
    pub fn uuid(&mut self) -> Uuid {
        let bytes = (u128::from(self.next_u64()) << 64 | u128::from(self.next_u64())).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// A time-ordered (version 7) UUID of the time `at_ms` (Unix milliseconds; 0 when
    /// negative), with random bits from two draws: ids as the app mints them.
    pub fn uuid_at(&mut self, at_ms: i64) -> Uuid {
        let a = self.next_u64().to_le_bytes();
        let b = self.next_u64().to_le_bytes();
        let mut rand = [0u8; 10];
        rand[..8].copy_from_slice(&a);
        rand[8..].copy_from_slice(&b[..2]);
        uuid::Builder::from_unix_timestamp_millis(u64::try_from(at_ms).unwrap_or(0), &rand)
            .into_uuid()
    }

    /// `n` decimal digits, one draw each.
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    /// `n` capital letters, one draw each.
    pub fn letters(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'A' + self.below(26) as u8))
            .collect()
    }
}

/// The integer types [`Rng::range`] draws (through `i128`, which holds them all).
pub trait Int: Copy {
    /// The value as an `i128`.
    fn wide(self) -> i128;
    /// Back from an `i128` known to lie between two values of the type.
    fn narrow(v: i128) -> Self;
}

macro_rules! int {
    ($($t:ty),*) => {$(
        impl Int for $t {
            fn wide(self) -> i128 {
                self as i128
            }
            fn narrow(v: i128) -> Self {
                v as $t
            }
        }
    )*};
}

int!(i32, i64, u32, u64, usize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_splitmix64() {
        // SplitMix64's reference values for seed 1234567: the same on every platform
        // and in every build.
        let mut r = Rng::new(1_234_567);
        let got: Vec<u64> = (0..5).map(|_| r.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
    }

    #[test]
    fn same_seed_same_draws() {
        let draw = |seed| {
            let mut r = Rng::new(seed);
            (
                r.below(1000),
                r.range(-5, 5),
                r.chance(50),
                *r.pick(&[1, 2, 3]),
                r.choose::<u8>(&[]),
                r.uuid(),
                r.uuid_at(1_700_000_000_000),
                r.digits(4),
            )
        };
        assert_eq!(draw(9), draw(9));
        assert_ne!(draw(9), draw(10));
    }

    #[test]
    fn ranges_stay_in_bounds() {
        let mut r = Rng::new(3);
        for _ in 0..10_000 {
            assert!(r.below(7) < 7);
            assert!((-3..=3).contains(&r.range(-3, 3)));
            assert!(r.skewed(5) < 5);
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.range(4, 4), 4);
        assert_eq!(r.range(9, 2), 9);
        let (mut a, mut b) = (Rng::new(5), Rng::new(5));
        assert_eq!(
            a.range(1i64, 60),
            b.range(1u64, 60) as i64,
            "same draw for any type"
        );
        // The widest ranges neither overflow nor leave their bounds.
        let _ = r.range(i64::MIN, i64::MAX);
        assert!(r.range(u64::MAX - 1, u64::MAX) >= u64::MAX - 1);
        assert_eq!(r.uuid().get_version_num(), 4);
        assert_eq!(r.uuid_at(1_700_000_000_000).get_version_num(), 7);
    }
}
